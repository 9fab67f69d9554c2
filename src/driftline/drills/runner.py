"""Running a drill: prepare a realistic reference database, capture healthy baselines, inject the
fault, run the stress test and every detector, restore, and show everything green again.

Volume and deadline are scaled together: the incident had ~5M status rows and a 500 ms pickup
deadline (a full scan took ~1.4 s, ~3x the deadline). A drill seeds ``tickets`` (six status rows
each), then times the pickup healthy and under the fault at the machine's current load and puts
the deadline between them (:mod:`driftline.drills.calibrate`): a full scan still overruns it, while
the indexed pickup stays far below it even on a busy machine (``query_timeout_ms`` fixes it).
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from driftline.db import connect_check, describe, dialect_of, make_engine
from driftline.drills import calibrate, checks, watchdogs
from driftline.drills.detection import Detection
from driftline.drills.faults import Fault, check_restart_target, get_fault
from driftline.drills.undo import undone_on_exit
from driftline.errors import ConnectionFailed, RunError, UsageError
from driftline.stress import RunResult, StressOptions, run_stress
from driftline.stress.refsys_proc import deep_merge
from driftline.stress.runner import LiveStatus, StatusCallback

Progress = Callable[[str], None]

#: Seeded tickets and the pickup deadline's floor per dialect (full scan ≈ 2-3x it at this volume,
#: on a quiet machine).
VOLUME = {"sqlite": (100_000, 20), "postgresql": (200_000, 20), "mysql": (100_000, 40)}
#: Tickets of the last busy hour, inside the dispatcher's lookback: the indexed pickup probes
#: each of their NEW rows, so it costs a few milliseconds, as in production under load.
RECENT_TICKETS = 1_500


@dataclass
class DrillOptions:
    db: str | None = None  # None: a SQLite file in the drill directory
    out: Path = Path("runs")
    users: int = 30
    duration_s: float = 30.0
    recovery_duration_s: float | None = None  # default: duration_s
    tickets: int | None = None  # default: VOLUME[dialect]
    query_timeout_ms: int | None = None
    on_query_timeout: str = "skip"  # the incident's behaviour
    dispatch_deadline_s: float = 10.0
    thresholds: Path | None = None
    workers: int = 0
    pg_data_dir: Path | None = None  # the server the db-restart drill restarts
    system: str | None = None  # an adapter (name or file); None: the reference system
    target: str | None = None  # that system's URL (with ``system``)


@dataclass
class Phase:
    name: str  # fault | recovery
    run: RunResult
    detections: list[Detection]

    @property
    def fired(self) -> list[Detection]:
        return [d for d in self.detections if d.fired]


@dataclass
class DrillResult:
    drill: str
    summary: str
    db: str
    directory: Path
    fault_at: datetime
    fault: Phase
    recovery: Phase
    notes: list[str] = field(default_factory=list)
    restored_at: datetime | None = None

    @property
    def caught(self) -> bool:
        return bool(self.fault.fired)

    @property
    def recovered(self) -> bool:
        return not self.recovery.fired

    @property
    def exit_code(self) -> int:
        """0 when the fault was caught and everything is green after the restore, else 1."""
        return 0 if self.caught and self.recovered else 1

    def to_dict(self) -> dict[str, Any]:
        def phase(p: Phase) -> dict[str, Any]:
            return {
                "run_dir": str(p.run.run_dir),
                "stress_verdict": p.run.verdict,
                "detections": [d.to_dict() for d in p.detections],
            }

        return {
            "driftline": 1,
            "kind": "drill",
            "drill": self.drill,
            "summary": self.summary,
            "db": self.db,
            "fault_at": self.fault_at.isoformat() + "Z",
            "restored_at": self.restored_at.isoformat() + "Z" if self.restored_at else None,
            "caught": self.caught,
            "recovered": self.recovered,
            "fault": phase(self.fault),
            "recovery": phase(self.recovery),
            "notes": self.notes,
        }


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _connect_or_explain(engine: sa.Engine) -> None:
    """Connect once; a missing database is one line that says to create it (exit 2)."""
    try:
        connect_check(engine)
    except ConnectionFailed as exc:
        text = str(exc)
        if re.search(r"does not exist|unknown database", text, re.I):
            name = engine.url.database or "it"
            text += f" (create it first, e.g. CREATE DATABASE {name})"
        raise ConnectionFailed(text) from None


def prepare(db_url: str, tickets: int, progress: Progress) -> None:
    """Initialise the reference system and seed it to ``tickets`` tickets of history."""
    from reference_system.bootstrap import init_database
    from reference_system.config import load_config
    from reference_system.database import make_engine
    from reference_system.routing import load_routing
    from reference_system.seed import seed

    config = load_config()
    engine = make_engine(db_url)
    try:
        _connect_or_explain(engine)
        init_database(engine, config)
        with engine.connect() as conn:
            have = conn.execute(sa.text("SELECT COUNT(*) FROM ticket")).scalar() or 0
        routing = load_routing(config.routing_file)
        if have < tickets:
            progress(f"seeding {tickets - have:,} tickets of history into {describe(db_url)}")
            seed(engine, routing, tickets - have, days=60)
        now = _utcnow()
        hour_ago = now - timedelta(seconds=config.dispatch.lookback_s)
        with engine.connect() as conn:
            recent = conn.execute(
                sa.text("SELECT COUNT(*) FROM ticket WHERE created_at >= :t"), {"t": hour_ago}
            ).scalar()
        if (recent or 0) < RECENT_TICKETS // 2:
            progress(f"seeding the last hour's {RECENT_TICKETS:,} tickets")
            window = (hour_ago + timedelta(minutes=5), now - timedelta(minutes=15))
            seed(engine, routing, RECENT_TICKETS, seed=2, window=window)
    finally:
        engine.dispose()


def stress_detection(run: RunResult) -> Detection:
    """The stress thresholds as a detector; its first sign is the first slice with an error."""
    from driftline.stress.rundir import read_histograms

    breaches = [f for f in run.findings if f.severity.label == "error"]
    if run.verdict == "pass":
        return Detection("stress thresholds", False, "every stage within its thresholds")
    started = datetime.fromisoformat(run.document["started_at"].rstrip("Z"))
    first_error = None
    for sliced in read_histograms(run.run_dir).stages.values():
        for index, hist in sliced:
            if hist.errors:
                at = started + timedelta(seconds=index * sliced.slice_s)
                first_error = at if first_error is None else min(first_error, at)
                break
    names = sorted({f.object for f in breaches})
    summary = f"{run.verdict}: {len(breaches)} breaches ({', '.join(names[:4])})"
    return Detection("stress thresholds", True, summary, first_error or _utcnow(), breaches)


def run_ended_at(run: RunResult) -> datetime:
    """When a stress run's load stopped (naive UTC); the system under test stopped right after."""
    return datetime.fromisoformat(run.document["ended_at"].rstrip("Z"))


def _detect(
    engine: sa.Engine,
    run: RunResult,
    since: datetime,
    options: DrillOptions,
    baselines: dict[str, Any],
    fault: Fault | None,
) -> list[Detection]:
    """Every detector after a stress run: the run's own verdict, the watchdogs since ``since``
    and the checkers (with the fault's scripts while the fault is in, ``fault`` None after)."""
    return [
        stress_detection(run),
        watchdogs.queue_watchdog(engine, since, options.dispatch_deadline_s, run_ended_at(run)),
        watchdogs.degraded_alerts(engine, since),
        watchdogs.roster_coverage(engine),
        *checks.run_checks(engine, baselines, fault, since if fault is not None else None),
    ]


def _with_after(detections: list[Detection], fault_at: datetime) -> list[Detection]:
    result = []
    for d in detections:
        after = None
        if d.fired:
            sign = d.first_sign_at or _utcnow()
            after = max(0.0, (sign - fault_at).total_seconds())
        result.append(dataclasses.replace(d, after_s=after))
    return result


def stress_run(
    options: DrillOptions,
    db_url: str,
    directory: Path,
    overrides: dict,
    duration: float,
    on_status: StatusCallback | None = None,
) -> RunResult:
    """One stress run of a drill phase against the prepared database (no extra seeding)."""
    return run_stress(
        StressOptions(
            users=options.users,
            duration_s=duration,
            db=db_url,
            out=directory,
            refsys_config=overrides,
            seed_tickets=0,
            thresholds=options.thresholds,
            workers=options.workers,
            dispatch_deadline_s=options.dispatch_deadline_s,
        ),
        on_status,
    )


def write_restore_sql(fault: Fault, engine: sa.Engine, directory: Path, db_url: str) -> str:
    """Write the SQL that undoes ``fault`` into the drill's directory (``restore.sql``), before
    the fault goes in; return what a user does by hand should the drill fail to undo it."""
    where = describe(db_url)
    if fault.restore_sql is None:
        return f"check {where} for what is left of: {fault.summary}"
    path = directory / "restore.sql"
    path.write_text(fault.restore_sql(engine), encoding="utf-8")
    return f"run {path} against {where} to undo it"


def _run_under_fault(
    name: str,
    fault: Fault,
    options: DrillOptions,
    engine: sa.Engine,
    db_url: str,
    directory: Path,
    base: dict,
    data_dir: Path | None,
) -> RunResult:
    """The stress run under the fault, injecting the fault's mid-run part when the load is on."""
    timers: list[threading.Timer] = []
    failed: list[BaseException] = []
    on_status: StatusCallback | None = None
    if fault.during_run is not None:
        during_run = fault.during_run

        def inject_mid_run() -> None:
            try:
                during_run(engine, data_dir)
            except Exception as exc:  # reported once the run is over
                failed.append(exc)

        def on_status(status: LiveStatus) -> None:
            # Timed from the start of the load, not of the run: the reference system's
            # start-up takes longer on a loaded machine, and a fault injected during it
            # would test start-up instead of the running pipeline.
            if status.phase != "load" or timers:
                return
            delay = options.duration_s * fault.during_run_after_s - status.elapsed_s
            timers.append(threading.Timer(max(0.0, delay), inject_mid_run))
            timers[0].start()

    try:
        run = stress_run(
            options,
            db_url,
            directory / "fault",
            deep_merge(base, fault.refsys_overrides),
            options.duration_s,
            on_status,
        )
        for timer in timers:
            timer.join()
    finally:
        # a run that failed must not leave a mid-run fault waiting to strike after the drill
        for timer in timers:
            timer.cancel()
    if fault.during_run is not None and not timers:
        raise RunError(f"drill {name}: the load never started, so the fault was not injected")
    if failed:
        raise RunError(f"drill {name}: the mid-run fault failed: {failed[0]}")
    return run


def run_drill(name: str, options: DrillOptions, progress: Progress | None = None) -> DrillResult:
    """Run drill ``name``; see the module docstring."""
    say = progress or (lambda _m: None)
    if options.system is not None:
        from driftline.drills.system import run_system_drill
        from driftline.systems.load import load_system

        system = load_system(options.system)
        if system.locustfile != "refsys":
            return run_system_drill(name, options, system, progress)
    fault: Fault = get_fault(name)
    stamp = _utcnow().strftime("%Y%m%dT%H%M%SZ")
    directory = Path(options.out) / f"drill-{name}-{stamp}"
    directory.mkdir(parents=True, exist_ok=True)
    db_url = options.db or f"sqlite:///{directory / 'refsys.db'}"
    dialect = dialect_of(db_url)
    if dialect not in fault.dialects:
        raise UsageError(f"drill {name} runs on {', '.join(fault.dialects)}, not {dialect}")
    data_dir = check_restart_target(db_url, options.pg_data_dir) if fault.needs_data_dir else None
    tickets, floor_ms = VOLUME[dialect]
    tickets = options.tickets or tickets
    prepare(db_url, tickets, say)
    notes: list[str] = []
    engine = make_engine(db_url)
    try:
        say("capturing healthy schema and plan baselines")
        baselines = checks.capture_baselines(engine, directory)
        healthy_ms = None if options.query_timeout_ms else calibrate.healthy_max(db_url)

        left_to_do = write_restore_sql(fault, engine, directory, db_url)
        say(f"injecting fault: {fault.summary}")
        fault_at = _utcnow()
        # from here on the database is damaged: every way out undoes the fault first
        with undone_on_exit(lambda: fault.restore(engine), left_to_do) as undo:
            fault.inject(engine)
            engine.dispose()
            deadline_ms = options.query_timeout_ms
            if healthy_ms is not None:
                faulty_ms = calibrate.faulty_min(db_url) if fault.slows_pickup else None
                deadline = calibrate.choose(floor_ms, healthy_ms, faulty_ms)
                deadline_ms = deadline.ms
                notes.append(deadline.note)
                say(deadline.note)
            base = {
                "dispatch": {
                    "query_timeout_ms": deadline_ms,
                    "on_query_timeout": options.on_query_timeout,
                }
            }
            say(f"stress run under the fault ({options.users} users, {options.duration_s:.0f} s)")
            run = _run_under_fault(name, fault, options, engine, db_url, directory, base, data_dir)
            engine.dispose()
            say("running the detectors")
            detections = _detect(engine, run, fault_at, options, baselines, fault)
            fault_phase = Phase("fault", run, _with_after(detections, fault_at))
            checks.attach_findings(run, fault_phase.detections)

            say("restoring")
            undo()
        engine.dispose()
        restored_at = _utcnow()
        recovery_s = options.recovery_duration_s or options.duration_s
        say(f"stress run after the restore ({recovery_s:.0f} s)")
        healthy = stress_run(options, db_url, directory / "recovery", base, recovery_s)
        engine.dispose()
        recovery = _detect(engine, healthy, restored_at, options, baselines, None)
        recovery_phase = Phase("recovery", healthy, _with_after(recovery, restored_at))
        checks.attach_findings(healthy, recovery_phase.detections)
    finally:
        engine.dispose()
    result = DrillResult(
        name,
        fault.summary,
        describe(db_url),
        directory,
        fault_at,
        fault_phase,
        recovery_phase,
        notes,
        restored_at=restored_at,
    )
    checks.write_drill(result)
    return result


__all__ = ["VOLUME", "DrillOptions", "DrillResult", "Phase", "run_drill", "stress_run"]
