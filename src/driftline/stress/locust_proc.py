"""Locust as separate processes: one standalone, or one master and N workers.

The host process (driftline) never imports Locust and is never gevent-patched; it starts
``python -m locust`` headless with the scenario, the stage options and the run directory, and
watches the processes from outside.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from driftline.stress.refsys_proc import free_port, stop_process
from driftline.stress.rundir import LOCUST_DIR, STATUS_FILE

CSV_PREFIX = "locust"


@dataclass
class LocustPlan:
    """Everything needed to start Locust for one run."""

    scenario: Path
    host: str
    run_dir: Path
    users: int
    spawn_rate: float
    duration_s: float
    workers: int = 0
    stop_timeout_s: float = 5.0
    scenario_args: list[str] = field(default_factory=list)
    env: dict[str, str] | None = None  # the processes' environment (default: this one's)
    worker_extra: list[str] = field(default_factory=list)  # options workers need at init

    def common(self) -> list[str]:
        return ["-f", str(self.scenario)]

    def master_args(self, master_port: int | None) -> list[str]:
        locust_dir = self.run_dir / LOCUST_DIR
        args = [
            *self.common(),
            "--headless",
            "--host",
            self.host,
            "--users",
            str(self.users),
            "--spawn-rate",
            f"{self.spawn_rate:g}",
            "--run-time",
            f"{max(1, round(self.duration_s))}s",
            "--stop-timeout",
            f"{self.stop_timeout_s:g}",
            "--csv",
            str(locust_dir / CSV_PREFIX),
            "--html",
            str(locust_dir / "report.html"),
            "--only-summary",
            "--exit-code-on-error",
            "0",
            "--stage-dir",
            str(self.run_dir),
            "--stage-status-file",
            str(self.run_dir / STATUS_FILE),
            "--stage-managed",
            *self.scenario_args,
        ]
        if master_port is not None:
            args += [
                "--master",
                "--master-bind-host",
                "127.0.0.1",
                "--master-bind-port",
                str(master_port),
                "--expect-workers",
                str(self.workers),
                "--expect-workers-max-wait",
                "60",
            ]
        return args

    def worker_args(self, master_port: int) -> list[str]:
        return [
            *self.common(),
            "--worker",
            "--master-host",
            "127.0.0.1",
            "--master-port",
            str(master_port),
            *self.worker_extra,
        ]


@dataclass
class LocustProcesses:
    """The running Locust processes by role (``local`` or ``master``, ``worker-1`` …)."""

    processes: dict[str, subprocess.Popen[bytes]]
    logs: list[IO[Any]]

    @property
    def main(self) -> subprocess.Popen[bytes]:
        return self.processes.get("local") or self.processes["master"]

    @property
    def pids(self) -> dict[str, int]:
        return {role: p.pid for role, p in self.processes.items()}

    def workers(self) -> dict[str, subprocess.Popen[bytes]]:
        return {r: p for r, p in self.processes.items() if r.startswith("worker")}

    def stop(self, timeout_s: float = 10.0) -> None:
        for process in self.processes.values():
            stop_process(process, timeout_s)
        for fh in self.logs:
            fh.close()


def _spawn(
    args: list[str], log: Path, logs: list[IO[Any]], base_env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    fh = log.open("w", encoding="utf-8")
    logs.append(fh)
    env = {**(os.environ if base_env is None else base_env), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "locust", *args], stdout=fh, stderr=subprocess.STDOUT, env=env
    )


def start_locust(plan: LocustPlan) -> LocustProcesses:
    """Start the processes of ``plan``; logs go to ``<run dir>/locust/*.log``."""
    locust_dir = plan.run_dir / LOCUST_DIR
    locust_dir.mkdir(parents=True, exist_ok=True)
    logs: list[IO[Any]] = []
    processes: dict[str, subprocess.Popen[bytes]] = {}
    if plan.workers <= 0:
        processes["local"] = _spawn(
            plan.master_args(None), locust_dir / "locust.log", logs, plan.env
        )
        return LocustProcesses(processes, logs)
    port = free_port()
    processes["master"] = _spawn(plan.master_args(port), locust_dir / "master.log", logs, plan.env)
    for i in range(1, plan.workers + 1):
        processes[f"worker-{i}"] = _spawn(
            plan.worker_args(port), locust_dir / f"worker-{i}.log", logs, plan.env
        )
    return LocustProcesses(processes, logs)


def log_tail(run_dir: Path, role: str, lines: int = 20) -> str:
    name = "locust.log" if role == "local" else f"{role}.log"
    try:
        text = (run_dir / LOCUST_DIR / name).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
