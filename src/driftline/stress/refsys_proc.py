"""The reference system as a subprocess for a stress run: config, init, seed, serve, stop.

A stress run needs SLA windows short enough that the timeout alert fires within the run, and
a dispatcher and sweeper that tick often. :data:`STRESS_CONFIG` holds those settings; a user's
``--refsys-config`` file (or a drill's dict) is merged over it key by key.
"""

from __future__ import annotations

import contextlib
import copy
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from driftline.errors import RunError
from driftline.secrets import secret_file
from driftline.yamlfile import load_yaml

PRIORITIES = ("P0", "P1", "P2", "P3")

#: Reference-system settings for a stress run (merged under the user's refsys config).
STRESS_CONFIG: dict[str, Any] = {
    "dispatch": {"enabled": True, "interval_ms": 200},
    "sweeper": {"enabled": True, "interval_ms": 250},
    "sla": {
        "P0": {"first_response_s": 2, "resolution_s": 120},
        "P1": {"first_response_s": 3, "resolution_s": 180},
        "P2": {"first_response_s": 4, "resolution_s": 240},
        "P3": {"first_response_s": 5, "resolution_s": 300},
        "escalation_s": 600,
    },
}

DRIFTLINE = ("-c", "import sys; from driftline.cli import main; sys.argv[0] = 'driftline'; main()")


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    result = copy.deepcopy(dict(base))
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(result.get(key), Mapping):
            result[key] = deep_merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def load_config(source: str | Path | Mapping[str, Any] | None) -> dict[str, Any]:
    """The effective refsys config: :data:`STRESS_CONFIG` with ``source`` merged over it."""
    if source is None:
        return copy.deepcopy(STRESS_CONFIG)
    if isinstance(source, Mapping):
        return deep_merge(STRESS_CONFIG, source)
    from reference_system.config import load_config as check_config

    check_config(source)  # bad values are named at the user's file:line, not the run's copy
    doc = load_yaml(source)
    data = {} if doc.data is None else doc.data
    if not isinstance(data, dict):
        raise doc.error("a refsys config is a mapping")
    return deep_merge(STRESS_CONFIG, data)


def first_response_windows(config: Mapping[str, Any]) -> dict[str, float]:
    sla = config.get("sla") or {}
    windows = {}
    for p in PRIORITIES:
        value = (sla.get(p) or {}).get("first_response_s")
        if value is not None:
            windows[p] = float(value)
    return windows


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def driftline_command(*args: str) -> list[str]:
    return [sys.executable, *DRIFTLINE, *args]


def _tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _last_line(path: Path, *secrets: str) -> str:
    """The last non-empty line of a child's log, passwords masked."""
    from driftline.secrets import redact_secrets

    lines = [line for line in _tail(path).splitlines() if line.strip()]
    last = lines[-1].strip().removeprefix("driftline: error: ") if lines else "no output"
    return redact_secrets(last, *secrets)


def _run_step(
    args: list[str], log: Path, what: str, timeout_s: float = 120.0, db_url: str = ""
) -> None:
    with log.open("a", encoding="utf-8") as fh:
        fh.write(f"$ driftline {' '.join(args)}\n")
        fh.flush()
        try:
            proc = subprocess.run(
                driftline_command(*args), stdout=fh, stderr=subprocess.STDOUT, timeout=timeout_s
            )
        except subprocess.TimeoutExpired:
            raise RunError(f"reference system {what} took longer than {timeout_s:.0f} s") from None
    if proc.returncode != 0:
        raise RunError(
            f"reference system {what} failed (exit {proc.returncode}): "
            f"{_last_line(log, db_url)} (log: {log})"
        )


@dataclass
class Refsys:
    url: str
    db_url: str
    process: subprocess.Popen[bytes]
    log: Path


def wait_healthy(
    url: str,
    process: subprocess.Popen[bytes] | None,
    log: Path,
    timeout_s: float,
    db_url: str = "",
) -> None:
    deadline = time.monotonic() + timeout_s
    last = ""
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RunError(
                f"reference system exited (code {process.returncode}) before it served: "
                f"{_last_line(log, db_url)} (log: {log})"
            )
        try:
            response = httpx.get(f"{url}/healthz", timeout=2.0)
            if response.status_code == 200:
                return
            last = f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            last = type(exc).__name__
        time.sleep(0.2)
    raise RunError(f"reference system at {url} not healthy after {timeout_s:.0f} s ({last})")


@contextlib.contextmanager
def running_refsys(
    db_url: str,
    config: Mapping[str, Any],
    run_dir: Path,
    *,
    seed_tickets: int = 300,
    startup_timeout_s: float = 60.0,
) -> Iterator[Refsys]:
    """Init ``db_url``, seed ``seed_tickets`` tickets of history (a little: the run adds the
    load), serve the reference system on a free port, stop it afterwards."""
    config_file = run_dir / "refsys.yaml"
    config_file.write_text(yaml.safe_dump(dict(config), sort_keys=True), encoding="utf-8")
    log = run_dir / "refsys.log"
    with secret_file(db_url) as db_file:
        common = ["--db-file", str(db_file), "--config", str(config_file)]
        _run_step(["refsys", "init", *common], log, "init", db_url=db_url)
        if seed_tickets > 0:
            seed = ["--tickets", str(seed_tickets), "--days", "3"]
            _run_step(["refsys", "seed", *common, *seed], log, "seed", db_url=db_url)
        port = free_port()
        fh = log.open("a", encoding="utf-8")
        fh.write(f"$ driftline refsys serve {' '.join(common)} --port {port}\n")
        fh.flush()
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        process = subprocess.Popen(
            driftline_command("refsys", "serve", *common, "--port", str(port)),
            stdout=fh,
            stderr=subprocess.STDOUT,
            env=env,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, process, log, startup_timeout_s, db_url)
            yield Refsys(url, db_url, process, log)
        finally:
            stop_process(process)
            fh.close()


def stop_process(process: subprocess.Popen[Any], timeout_s: float = 10.0) -> None:
    """Terminate ``process`` (SIGTERM, then SIGKILL after ``timeout_s``)."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout_s)
