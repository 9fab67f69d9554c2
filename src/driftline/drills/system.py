"""The index-drop drill against a ticket system an adapter describes (``--system rt``).

The adapter names its critical index, the table it indexes, the ``query`` stage whose SQL reads
through it and the hot query it serves (``database.critical_index``). The drill:

1. reads the index's DDL from the live server and keeps it (``restore.sql`` in the drill's
   directory) before anything changes;
2. makes sure the table is large enough for a full scan to show (the adapter's ``seed`` SQL adds
   the missing rows; its ``unseed`` removes them when the drill ends);
3. captures healthy baselines: the schema (the index marked critical) and the plan of the hot
   query it serves;
4. times the stage's SQL with the index (slowest of several) and, once it is dropped, without
   (fastest), at the machine's current load, and gives the stage a deadline between the two
   (:func:`driftline.drills.calibrate.choose`), written into a copy of the adapter;
5. a stress run under the fault (the stage misses its deadline, the thresholds fail it), then
   schema and plan check; the index is restored — also when the drill fails or is interrupted —
   and a stress run and both checks after the restore must be green.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Engine

from driftline import dialects
from driftline.db import connect_check, describe, make_engine
from driftline.drills import calibrate, checks, index_fault
from driftline.drills.detection import Detection
from driftline.drills.runner import (
    DrillOptions,
    DrillResult,
    Phase,
    _with_after,
    stress_detection,
)
from driftline.drills.undo import undone_on_exit
from driftline.errors import InputFileError, UsageError
from driftline.stress import RunResult, StressOptions, run_stress
from driftline.systems.dbquery import SystemDatabase
from driftline.systems.model import CriticalIndex, Stage, System
from driftline.yamlfile import safe_dump

Progress = Callable[[str], None]

#: The drills a system described by an adapter supports (the others need the reference system).
SYSTEM_DRILLS = ("index-drop",)
#: The calibrated deadline is at least this (a few ms of scheduling noise must never fail it).
FLOOR_MS = 25
#: The stage's SQL is timed with this ticket id (an index probe costs the same for any id).
PROBE_ID = 1


@dataclass(frozen=True)
class Seeded:
    rows: int
    seconds: float


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def drill_parts(system: System, name: str) -> tuple[CriticalIndex, Stage]:
    """The critical index and its stage, or a usage error naming what the adapter lacks."""
    if name not in SYSTEM_DRILLS:
        raise UsageError(
            f"drill {name} runs against the reference system only; against {system.name}: "
            + ", ".join(SYSTEM_DRILLS)
        )
    index = system.database.critical_index
    if index is None or index.stage is None:
        raise InputFileError(
            system.source,
            f"drill {name} needs database.critical_index with the 'stage' whose query it serves",
            index.line if index else None,
        )
    return index, system.stage(index.stage)


def _analyze(engine: Engine, table: str) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(dialects.of(engine).analyze_sql(table))


def seed(engine: Engine, index: CriticalIndex, say: Progress) -> Seeded:
    """Add the rows the table lacks for ``index.rows`` with the adapter's seed SQL."""
    rows, sql, _ = index.for_dialect(dialects.of(engine).name)
    if not sql or not rows:
        return Seeded(0, 0.0)
    with engine.connect() as conn:
        have = int(conn.execute(sa.text(f"SELECT COUNT(*) FROM {index.table}")).scalar() or 0)
    need = rows - have
    if need <= 0:
        return Seeded(0, 0.0)
    say(f"seeding {need:,} rows into {index.table} (it has {have:,})")
    started = time.monotonic()
    with engine.begin() as conn:
        conn.execute(sa.text(sql), {"rows": need})
    _analyze(engine, index.table)
    return Seeded(need, time.monotonic() - started)


def unseed(engine: Engine, index: CriticalIndex) -> None:
    _, _, sql = index.for_dialect(dialects.of(engine).name)
    if sql:
        with engine.begin() as conn:
            conn.execute(sa.text(sql))
        _analyze(engine, index.table)


def unseed_left_to_do(engine: Engine, index: CriticalIndex) -> str:
    """What a user runs by hand when :func:`unseed` could not remove the seeded rows."""
    _, _, sql = index.for_dialect(dialects.of(engine).name)
    where = describe(engine.url)
    if not sql:
        return f"check {index.table} on {where}"
    return f"run {' '.join(sql.split())} against {where}"


def capture_baselines(
    engine: Engine, system: System, index: CriticalIndex, directory: Path
) -> dict[str, Any]:
    """Healthy schema (the index critical) and the plan of the hot query the index serves."""
    from driftline.plans.capture import capture
    from driftline.plans.queries import load_queries
    from driftline.schema import snapshot

    url = engine.url.render_as_string(hide_password=False)
    schema_path = directory / "schema.baseline.yaml"
    snapshot(url, schema_path, critical_indexes=[f"{index.table}.{index.name}"])
    baselines: dict[str, Any] = {"schema": schema_path}
    if system.queries and index.query:
        queries = load_queries(Path(system.source).parent / system.queries)
        served = [q for q in queries.queries if q.name == index.query]
        if not served:
            raise InputFileError(
                system.source,
                f"database.critical_index.query '{index.query}' is not in {queries.path}",
                index.line,
            )
        baselines["plans"] = capture(url, served).save(directory / "plans.baseline.yaml")
    return baselines


def run_checks(engine: Engine, baselines: dict[str, Any]) -> list[Detection]:
    found = [checks.schema_check(engine, baselines)]
    if "plans" in baselines:
        found.append(checks.plan_check(engine, baselines))
    return found


def adapter_with_deadline(system: System, stage: str, deadline_ms: int, out: Path) -> Path:
    """A copy of the adapter whose ``stage`` has the calibrated deadline (files it names are
    made absolute, so the copy works from the drill's directory)."""
    source = Path(system.source)
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    for key in ("thresholds", "queries", "locustfile"):
        value = data.get(key)
        if value and value != "refsys":
            data[key] = str((source.parent / value).resolve())
    for item in data["stages"]:
        if item.get("name") == stage:
            item["deadline_s"] = deadline_ms / 1000.0
    out.write_text(safe_dump(data), encoding="utf-8")
    return out


def _calibrate(database: SystemDatabase, stage: Stage, when: str) -> float:
    """The stage's SQL timed now: the slowest healthy run, or the fastest faulty one."""
    assert stage.sql is not None
    params = {"id": PROBE_ID}
    if when == "healthy":
        return max(database.time(stage.sql, params, calibrate.HEALTHY_SAMPLES, calibrate.CAP_MS))
    runs = database.time(stage.sql, params, calibrate.FAULTY_SAMPLES, calibrate.CAP_MS)
    return min(runs, default=float(calibrate.CAP_MS))


@dataclass
class _Drill:
    """One drill's fixed parts: what it drops, where it writes, how it reports progress."""

    name: str
    options: DrillOptions
    system: System
    index: CriticalIndex
    stage: Stage
    directory: Path
    engine: Engine
    say: Progress

    def stress(self, adapter: Path, phase: str, duration_s: float) -> RunResult:
        return run_stress(
            StressOptions(
                system=str(adapter),
                target=self.options.target,
                db=self.options.db,
                users=self.options.users,
                duration_s=duration_s,
                out=self.directory / phase,
                thresholds=self.options.thresholds,
                workers=self.options.workers,
            )
        )

    def phase(self, name: str, run: RunResult, baselines: dict, since: datetime) -> Phase:
        """The stress thresholds and both checks, as the drill's detectors of ``name``."""
        detections = [stress_detection(run), *run_checks(self.engine, baselines)]
        result = Phase(name, run, _with_after(detections, since))
        checks.attach_findings(run, result.detections)
        return result

    def under_fault(
        self, dropped: index_fault.DroppedIndex, baselines: dict, healthy_ms: float
    ) -> tuple[datetime, Phase, Path, str]:
        """Drop the index, calibrate the stage's deadline, run and check; always restore."""
        options, stage = self.options, self.stage
        self.say(f"injecting fault: {dropped.drop}")
        fault_at = _utcnow()
        left_to_do = (
            f"run {self.directory / 'restore.sql'} against {describe(options.db or '')} "
            "to re-create the index"
        )
        with undone_on_exit(lambda: self.restore(dropped), left_to_do) as undo:
            index_fault.drop(self.engine, dropped)
            database = SystemDatabase(options.db or "", pool_size=1)
            try:
                faulty_ms = _calibrate(database, stage, "faulty")
            finally:
                database.dispose()
            deadline = calibrate.choose(FLOOR_MS, healthy_ms, faulty_ms, f"{stage.name} query")
            self.say(deadline.note)
            adapter = adapter_with_deadline(
                self.system, stage.name, deadline.ms, self.directory / "system.yaml"
            )
            self.say(
                f"stress run under the fault ({options.users} users, {options.duration_s:g} s)"
            )
            run = self.stress(adapter, "fault", options.duration_s)
            self.say("running the detectors")
            phase = self.phase("fault", run, baselines, fault_at)
            undo()
        return fault_at, phase, adapter, deadline.note

    def restore(self, dropped: index_fault.DroppedIndex) -> None:
        self.say(f"restoring: {dropped.create}")
        index_fault.restore(self.engine, dropped)


def preflight(system: System, options: DrillOptions) -> None:
    """What would stop the stress runs, checked before the database is touched: the
    thresholds, the credentials and the target's health probe."""
    from driftline.stress.runner import default_thresholds
    from driftline.stress.thresholds import load_thresholds
    from driftline.systems import credentials
    from driftline.systems.probe import probe

    options_thresholds = options.thresholds or default_thresholds(system)
    load_thresholds(Path(options_thresholds), system.stage_names)
    creds = credentials.from_env(system.auth, system=system.name)
    probe(system, str(options.target).rstrip("/"), creds)


def run_system_drill(
    name: str, options: DrillOptions, system: System, progress: Progress | None = None
) -> DrillResult:
    """Run drill ``name`` against ``system`` (see the module docstring)."""
    say = progress or (lambda _m: None)
    index, stage = drill_parts(system, name)
    if not options.db or not options.target:
        raise UsageError(
            f"drill {name} --system {system.name} needs --target URL and --db URL (the "
            "system's own database: the drill drops its index there)"
        )
    preflight(system, options)
    stamp = _utcnow().strftime("%Y%m%dT%H%M%SZ")
    directory = Path(options.out) / f"drill-{name}-{system.name}-{stamp}"
    directory.mkdir(parents=True, exist_ok=True)
    engine = make_engine(options.db)
    drill = _Drill(name, options, system, index, stage, directory, engine, say)
    notes: list[str] = []
    try:
        connect_check(engine)
        dropped = index_fault.index_ddl(engine, index.name, index.table)
        (directory / "restore.sql").write_text(dropped.create + ";\n", encoding="utf-8")
        with undone_on_exit(
            lambda: unseed(engine, index), unseed_left_to_do(engine, index), what="the seeding"
        ) as remove_seeded:
            seeded = seed(engine, index, say)
            if seeded.rows:
                notes.append(
                    f"seeded {seeded.rows:,} rows of {index.table} in {seeded.seconds:.1f} s"
                )
            say("capturing healthy schema and plan baselines")
            baselines = capture_baselines(engine, system, index, directory)
            database = SystemDatabase(options.db, pool_size=1)
            try:
                healthy_ms = _calibrate(database, stage, "healthy")
            finally:
                database.dispose()
            fault_at, fault, adapter, note = drill.under_fault(dropped, baselines, healthy_ms)
            notes.append(note)
            restored_at = _utcnow()
            recovery_s = options.recovery_duration_s or options.duration_s
            say(f"stress run after the restore ({recovery_s:g} s)")
            run = drill.stress(adapter, "recovery", recovery_s)
            recovery = drill.phase("recovery", run, baselines, restored_at)
            remove_seeded()
    finally:
        engine.dispose()
    summary = (
        f"{index.name} dropped from {index.table}: the {stage.name} stage's query "
        f"({index.query or stage.name}) loses its index"
    )
    result = DrillResult(
        name,
        summary,
        describe(options.db),
        directory,
        fault_at,
        fault,
        recovery,
        notes,
        restored_at=restored_at,
    )
    checks.write_drill(result)
    return result
