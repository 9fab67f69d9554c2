"""``run_stress``: the link stress test from start to verdict (the CLI is a thin layer over it).

1. read the thresholds (a bad file stops everything before anything starts: exit 2);
2. load the system adapter (``system``: ``refsys`` by default, ``rt``, or a file); start the
   reference system (embedded SQLite in the run directory, or ``db``) with short SLA windows,
   seeded a little — or probe ``target``, an already-running system (authenticated with the
   credentials the adapter names, from the environment);
3. run Locust headless as separate processes (standalone, or a master and ``workers``), watch
   their CPU and the master's status file, report progress through ``on_status``;
4. read what the Locust master wrote, look up every ticket the run created (reconciliation:
   through the system's database when ``db`` is given, else its API), judge the thresholds
   (a stage the system lacks is *not observed*) and write ``run.json``, ``junit.xml`` and
   ``summary.md``.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import math
import os
import platform
import socket
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from driftline import __version__
from driftline.db import describe, dialect_of, make_engine, parse_url, server_version
from driftline.errors import ConnectionFailed, RunError, UsageError
from driftline.netaddr import check_http_url
from driftline.stress import rundir
from driftline.stress.generator import CpuSampler, GeneratorHealth
from driftline.stress.locust_proc import LocustPlan, LocustProcesses, log_tail, start_locust
from driftline.stress.reconcile import Reconciliation
from driftline.stress.refsys_proc import (
    first_response_windows,
    load_config,
    running_refsys,
)
from driftline.stress.result import RunResult, judged, locust_counts, write_summaries
from driftline.stress.rundir import LOCUST_DIR
from driftline.stress.summary import Throughput, stage_figures
from driftline.stress.system_run import (
    locust_credentials,
    reconcile_run,
    stop_timeout,
    system_args,
    system_worker_args,
)
from driftline.stress.thresholds import (
    Thresholds,
    load_thresholds,
)
from driftline.systems import credentials
from driftline.systems.load import check_database, load_system
from driftline.systems.model import System
from driftline.systems.probe import probe

LOAD_STATES = ("spawning", "running")


@dataclass
class StressOptions:
    """Options of one stress run (defaults: ``driftline stress run``'s)."""

    users: int = 100
    spawn_rate: float | None = None  # default: users / 5, at least 1
    duration_s: float = 120.0
    workers: int = 0
    system: str | Path | None = None  # adapter name or file; None: refsys
    db: str | None = None  # None: embedded SQLite in the run directory
    target: str | None = None  # an already-running system instead of starting one
    thresholds: str | Path | None = None  # None: scenarios/thresholds.yaml
    out: str | Path = "runs"
    refsys_config: str | Path | Mapping[str, Any] | None = None
    scenario: str | Path | None = None  # None: scenarios/ticket_journey.py
    alert_share: float = 0.2
    reopen_share: float = 0.1
    dispatch_deadline_s: float = 10.0
    alert_deadline_s: float = 10.0
    step_deadline_s: float = 5.0
    stop_timeout_s: float = 5.0
    customers: int = 200
    seed_tickets: int = 300  # history seeded into a system the run starts (0: none)
    locust_args: tuple[str, ...] = ()

    def validate(self) -> None:
        from driftline.db import require_database_name

        require_database_name(self.db)
        if self.users < 1:
            raise UsageError("--users must be at least 1")
        if self.duration_s <= 0:
            raise UsageError("--duration must be positive")
        if self.workers < 0:
            raise UsageError("--workers must be 0 or more")
        if self.spawn_rate is not None and not 0 < self.spawn_rate < math.inf:
            raise UsageError("--spawn-rate must be a positive number")
        for name in ("step_deadline_s", "dispatch_deadline_s", "alert_deadline_s"):
            if not 0 < getattr(self, name) < math.inf:
                raise UsageError(f"--{name.replace('_', '-')} must be a positive number")
        for name in ("alert_share", "reopen_share"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise UsageError(f"--{name.replace('_', '-')} must be between 0 and 1")
        if self.target is not None:
            check_http_url(self.target, "--target")

    @property
    def effective_spawn_rate(self) -> float:
        return self.spawn_rate if self.spawn_rate else max(1.0, self.users / 5)


@dataclass(frozen=True)
class LiveStatus:
    """What ``on_status`` receives about once a second."""

    phase: str  # starting | load | collecting
    elapsed_s: float
    duration_s: float
    status: dict[str, Any] = field(default_factory=dict)  # the Locust master's status.json
    cpu: dict[str, float] = field(default_factory=dict)  # generator CPU by role, this second


StatusCallback = Callable[[LiveStatus], None]


def default_scenario() -> Path:
    """``scenarios/ticket_journey.py`` in the working directory, else the installed journey."""
    local = Path("scenarios/ticket_journey.py")
    if local.exists():
        return local
    return Path(__file__).resolve().with_name("journey.py")


def default_system_scenario() -> Path:
    """``scenarios/system_journey.py`` in the working directory, else the installed one."""
    local = Path("scenarios/system_journey.py")
    if local.exists():
        return local
    return Path(__file__).resolve().parent.parent / "systems" / "locustfile.py"


def system_scenario(system: System) -> Path:
    """The locustfile that drives ``system``: the reference system's own journey, the generic
    adapter-driven one, or the adapter's ``locustfile`` (relative to the adapter file)."""
    if system.locustfile == "refsys":
        return default_scenario()
    if system.locustfile is None:
        return default_system_scenario()
    return Path(system.source).parent / system.locustfile


def default_thresholds(system: System | None = None) -> Path:
    """The adapter's thresholds; for the reference system ``scenarios/thresholds.yaml`` in the
    working directory, else the installed copy."""
    if system is not None and system.thresholds:
        return Path(system.source).parent / system.thresholds
    local = Path("scenarios/thresholds.yaml")
    if local.exists():
        return local
    return Path(__file__).resolve().with_name("defaults") / "thresholds.yaml"


def run_stress(options: StressOptions, on_status: StatusCallback | None = None) -> RunResult:
    """Run the link stress test described by ``options``; see the module docstring."""
    options.validate()
    system = load_system(options.system)
    check_database(system, options.db)
    is_refsys = system.locustfile == "refsys"
    thresholds_path = Path(options.thresholds) if options.thresholds else default_thresholds(system)
    thresholds = load_thresholds(thresholds_path, system.stage_names)
    scenario = Path(options.scenario) if options.scenario else system_scenario(system)
    if not scenario.is_file():
        raise UsageError(f"scenario not found: {scenario}")
    if scenario.suffix != ".py":
        raise UsageError(f"--scenario {scenario}: a locustfile is a .py file")
    refsys_config = load_config(options.refsys_config)
    if options.target is None and not is_refsys:
        raise UsageError(
            f"--system {system.name} needs --target URL (driftline starts only the reference "
            "system itself)"
        )
    creds = credentials.from_env(system.auth, system=system.name)
    if options.target is not None:
        probe(system, options.target.rstrip("/"), creds)
    run_dir = rundir.new_run_dir(options.out)
    tag = f"{run_dir.name}-{uuid.uuid4().hex[:6]}"
    wall_start = time.time()
    notify = on_status or (lambda _status: None)

    with contextlib.ExitStack() as stack:
        db_url = options.db
        cred_args: list[str] = []
        children = locust_credentials(system, creds, db_url)
        if children.for_children:
            cred_file = stack.enter_context(credentials.credentials_file(children))
            cred_args = ["--credentials-file", str(cred_file)]
        if options.target is None:
            db_url = db_url or f"sqlite:///{run_dir / 'refsys.db'}"
            notify(LiveStatus("starting", 0.0, options.duration_s))
            refsys = stack.enter_context(
                running_refsys(db_url, refsys_config, run_dir, seed_tickets=options.seed_tickets)
            )
            target = refsys.url
        else:
            target = options.target.rstrip("/")
        plan = LocustPlan(
            scenario=scenario,
            host=target,
            run_dir=run_dir,
            users=options.users,
            spawn_rate=options.effective_spawn_rate,
            duration_s=options.duration_s,
            workers=options.workers,
            stop_timeout_s=stop_timeout(options, system),
            scenario_args=(
                scenario_args(options, refsys_config, tag)
                if is_refsys
                else system_args(options, system, tag)
            )
            + cred_args,
            env=credentials.child_env(system.auth),
            worker_extra=[] if is_refsys else system_worker_args(system) + cred_args,
        )
        watch = TargetWatch(target, refsys.process if options.target is None else None)
        cpu = _drive_locust(plan, options, lambda s: (watch.check(s), notify(s)))
        watch.finish()
        notify(LiveStatus("collecting", time.time() - wall_start, options.duration_s))
        recon = reconcile_run(run_dir, system, target, db_url, tag, creds)
        if watch.died:
            recon.target_died, recon.target_down = watch.died, True
    return _finish(
        system=system,
        run_dir=run_dir,
        options=options,
        thresholds=thresholds,
        thresholds_path=thresholds_path,
        scenario=scenario,
        refsys_config=refsys_config,
        target=target,
        db_url=db_url,
        tag=tag,
        cpu=cpu,
        recon=recon,
        wall_start=wall_start,
    )


class TargetWatch:
    """Notices the system under test dying during a run: the reference system the run started
    is watched as a process every status tick; any target is asked ``/healthz`` at the end."""

    def __init__(self, url: str, process: Any | None = None) -> None:
        self.url, self.process = url, process
        self.died = ""
        self._elapsed = 0.0
        self._refused = 0

    def check(self, status: LiveStatus) -> None:
        if status.phase == "load":
            self._elapsed = status.elapsed_s
        if self.died:
            return
        if self.process is None:
            self._probe()
            return
        if self.process.poll() is None:
            return
        code = self.process.returncode
        self._died(f"killed by signal {-code}" if code < 0 else f"exit {code}")

    def _died(self, how: str) -> None:
        at = time.strftime("%H:%M:%SZ", time.gmtime())
        self.died = f"target died at {at}, {self._elapsed:.0f} s into the load ({how})"

    def _probe(self) -> None:
        # a refused connection is a dead server; a slow answer is only a busy one
        from driftline.stress.reconcile import DOWN_ERRORS

        try:
            httpx.get(f"{self.url}/healthz", timeout=3.0)
        except DOWN_ERRORS as exc:
            self._refused += 1
            if self._refused >= 2:
                self._died(f"{type(exc).__name__} on /healthz")
            return
        except httpx.HTTPError:
            pass
        self._refused = 0

    def finish(self) -> None:
        self.check(LiveStatus("collecting", self._elapsed, 0.0))
        if self.died:
            return
        try:
            answered = httpx.get(f"{self.url}/healthz", timeout=5.0).status_code < 500
        except httpx.HTTPError:
            answered = False
        if not answered:
            self.died = "target stopped answering by the end of the load (/healthz)"


def check_target(url: str) -> None:
    """An already-running reference system must answer ``GET /healthz`` now."""
    try:
        response = httpx.get(f"{url}/healthz", timeout=5.0)
    except httpx.HTTPError as exc:
        raise ConnectionFailed(f"target {url} is not reachable: {type(exc).__name__}") from None
    if response.status_code != 200:
        raise ConnectionFailed(f"target {url}/healthz answered HTTP {response.status_code}")


def scenario_args(options: StressOptions, refsys_config: Mapping[str, Any], tag: str) -> list[str]:
    windows = first_response_windows(refsys_config)
    args = [
        "--alert-share",
        f"{options.alert_share:g}",
        "--reopen-share",
        f"{options.reopen_share:g}",
        "--dispatch-deadline-s",
        f"{options.dispatch_deadline_s:g}",
        "--alert-deadline-s",
        f"{options.alert_deadline_s:g}",
        "--step-deadline-s",
        f"{options.step_deadline_s:g}",
        "--customers",
        str(options.customers),
        "--run-tag",
        tag,
    ]
    if windows:
        args += ["--first-response-s", ",".join(f"{p}={v:g}" for p, v in windows.items())]
    return args + list(options.locust_args)


def _read_status(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _drive_locust(
    plan: LocustPlan, options: StressOptions, notify: StatusCallback
) -> GeneratorHealth:
    """Start Locust, watch it until the master exits, return the generator's CPU health."""
    procs = start_locust(plan)
    status_path = plan.run_dir / rundir.STATUS_FILE
    sampler = CpuSampler(procs.pids)
    load_samples: dict[str, list[float]] = {role: [] for role in procs.pids}
    started = time.monotonic()
    limit = plan.duration_s + plan.stop_timeout_s + 90.0 + (30.0 if plan.workers else 0.0)
    status: dict[str, Any] = {}
    try:
        while procs.main.poll() is None:
            time.sleep(1.0)
            status = _read_status(status_path) or status
            now = sampler.sample()
            if status.get("state") in LOAD_STATES:
                for role, value in now.items():
                    load_samples.setdefault(role, []).append(value)
            load_start = status.get("started_at")
            phase = "load" if load_start else "starting"
            elapsed = time.time() - load_start if load_start else time.monotonic() - started
            notify(LiveStatus(phase, elapsed, plan.duration_s, status, now))
            dead = [r for r, p in procs.workers().items() if p.poll() is not None]
            if dead and not status.get("started_at"):
                raise RunError(
                    f"Locust {dead[0]} exited before the test started: "
                    f"{_locust_reason(plan.run_dir, dead[0])}"
                )
            if time.monotonic() - started > limit:
                raise RunError(f"Locust did not finish within {limit:.0f} s; stopped it")
        _wait_workers(procs)
    finally:
        procs.stop()
    role = "local" if plan.workers <= 0 else "master"
    if not (plan.run_dir / rundir.LOCUST_SIDE_FILE).exists():
        raise RunError(
            f"Locust ended (exit {procs.main.returncode}) without writing its stage results: "
            f"{_locust_reason(plan.run_dir, role)}"
        )
    rundir.tidy_locust_files(plan.run_dir)
    final = _read_status(status_path) or status
    return GeneratorHealth.from_samples(load_samples, bool(final.get("cpu_warning")))


def _locust_reason(run_dir: Path, role: str) -> str:
    """The last line of a Locust process's log, and where the rest is: an error is one line."""
    lines = [line.strip() for line in log_tail(run_dir, role).splitlines() if line.strip()]
    log = run_dir / LOCUST_DIR / ("locust.log" if role == "local" else f"{role}.log")
    return f"{lines[-1] if lines else 'no output'} (log: {log})"


def _wait_workers(procs: LocustProcesses, timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    for process in procs.workers().values():
        with contextlib.suppress(Exception):
            process.wait(timeout=max(0.1, deadline - time.monotonic()))


def _environment(db_url: str | None) -> dict[str, Any]:
    dialect = version = None
    if db_url:
        with contextlib.suppress(Exception):
            url = parse_url(db_url)
            dialect = dialect_of(url)
            engine = make_engine(url)
            try:
                with engine.connect() as conn:
                    version = server_version(conn)
            finally:
                engine.dispose()
    try:
        locust_version = importlib.metadata.version("locust")
    except importlib.metadata.PackageNotFoundError:
        locust_version = None
    return {
        "hostname": socket.gethostname(),
        "python": platform.python_version(),
        "locust": locust_version,
        "driftline": __version__,
        "cpu_count": os.cpu_count(),
        "dialect": dialect,
        "server_version": version,
    }


def _finish(
    *,
    system: System,
    run_dir: Path,
    options: StressOptions,
    thresholds: Thresholds,
    thresholds_path: Path,
    scenario: Path,
    refsys_config: dict[str, Any],
    target: str,
    db_url: str | None,
    tag: str,
    cpu: GeneratorHealth,
    recon: Reconciliation,
    wall_start: float,
) -> RunResult:
    side = rundir.read_locust_side(run_dir)
    samples = list(rundir.iter_samples(run_dir))
    not_observed = system.not_observed
    observed = [s for s in system.stage_names if s not in not_observed]
    stages = stage_figures(samples, side.deadlines_ms, observed)
    duration = side.load_duration_s or options.duration_s
    throughput = Throughput(recon.created, duration)
    workers: dict[str, dict[str, int]] = {}
    for s in samples:
        workers.setdefault(s.worker or "local", {"samples": 0})["samples"] += 1
    started = side.started_at or wall_start
    ended = (side.stopping_at or side.stopped_at) or time.time()
    status = side.status
    doc = {
        "driftline": 1,
        "kind": "stress-run",
        "id": run_dir.name,
        "started_at": rundir.iso(started),
        "ended_at": rundir.iso(ended),
        "duration_s": round(duration, 3),
        "config": {
            "users": options.users,
            "spawn_rate": options.effective_spawn_rate,
            "duration_s": options.duration_s,
            "workers": options.workers,
            "system": system.name,
            "system_file": system.source,
            "target": target,
            "db": describe(db_url) if db_url else None,
            "thresholds_file": str(thresholds_path),
            "scenario": str(scenario),
            "refsys_config": refsys_config if options.target is None else None,
            "alert_share": options.alert_share,
            "reopen_share": options.reopen_share,
            "stop_timeout_s": options.stop_timeout_s,
            "run_tag": tag,
        },
        "environment": _environment(db_url),
        "generator": cpu.to_dict(),
        "stage_order": list(system.stage_names),
        "not_observed": not_observed,
        "stages": {name: fig.to_dict() for name, fig in stages.items()},
        "throughput": throughput.to_dict(),
        "reconcile": recon.to_dict(),
        "workers": dict(sorted(workers.items())),
        "locust": locust_counts(status),
    }
    result = judged(
        run_dir,
        doc,
        thresholds=thresholds,
        thresholds_file=thresholds_path,
        stages=stages,
        throughput=throughput,
        generator=cpu,
        recon=recon,
        not_observed=not_observed,
    )
    rundir.write_run(run_dir, result.document)
    write_summaries(result)
    return result
