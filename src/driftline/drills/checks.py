"""The checkers a drill runs against the faulty and the restored database, and the drill's files.

Schema and plan baselines are captured from the healthy database at the start of the drill (the
SLA-critical indexes of the reference system marked critical), so a drill needs no committed
baseline; the fault's scripts are linted against that schema baseline.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from driftline.drills.detection import Detection
from driftline.drills.faults import Fault
from driftline.findings import Finding, Severity
from driftline.stress import RunResult


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def capture_baselines(engine: Engine, directory: Path) -> dict[str, Any]:
    """Healthy plan baseline of the reference system's hot queries, saved in the drill folder."""
    from driftline.plans.capture import capture
    from driftline.plans.queries import load_queries
    from driftline.schema import snapshot
    from reference_system.queries import hot_queries_file
    from reference_system.schema import CRITICAL_INDEXES

    plans = capture(_url(engine), load_queries(hot_queries_file()))
    schema_path = directory / "schema.baseline.yaml"
    snapshot(_url(engine), schema_path, critical_indexes=CRITICAL_INDEXES)
    return {"plans": plans.save(directory / "plans.baseline.yaml"), "schema": schema_path}


def _detection(name: str, findings: list[Finding], quiet: str) -> Detection:
    errors = [f for f in findings if f.severity >= Severity.ERROR]
    if not errors:
        return Detection(name, False, quiet, findings=findings)
    first = errors[0]
    summary = f"{len(errors)} error(s): {first.object}: {first.message}"
    return Detection(name, True, summary, _now(), errors)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def plan_check(engine: Engine, baselines: dict[str, Any]) -> Detection:
    from driftline.plans.check import check

    result = check(_url(engine), baselines["plans"], ci=True)
    return _detection("plan check", result.findings, "every hot query keeps its plan")


def schema_check(engine: Engine, baselines: dict[str, Any]) -> Detection:
    from driftline.schema import check

    findings = check(_url(engine), baselines["schema"])
    return _detection("schema check", findings, "schema and indexes match the baseline")


def reference_view():  # type: ignore[no-untyped-def]
    """The reference system's schema as lint reads a baseline (its SLA-critical indexes marked)."""
    from driftline.schema.baseline import Baseline
    from driftline.schema.model import ForeignKey, Index, Schema, Table
    from reference_system.schema import CRITICAL_INDEXES, metadata

    tables = {}
    for table in metadata.sorted_tables:
        tables[table.name] = Table(
            table.name,
            primary_key=tuple(c.name for c in table.primary_key.columns),
            indexes={
                ix.name: Index(ix.name, tuple(c.name for c in ix.columns), bool(ix.unique))
                for ix in table.indexes
            },
            foreign_keys={
                fk.name or f"{table.name}_fk{i}": ForeignKey(
                    fk.name or f"{table.name}_fk{i}",
                    tuple(e.parent.name for e in fk.elements),
                    fk.referred_table.name,
                    tuple(e.column.name for e in fk.elements),
                )
                for i, fk in enumerate(table.foreign_key_constraints)
            },
        )
    return Baseline(
        Schema("postgresql", tables=tables),
        critical_indexes=set(CRITICAL_INDEXES),
        path="reference_system/schema.py",
    )


def lint_check(fault: Fault | None, fault_at: datetime | None) -> Detection | None:
    """The fault's scripts linted as CI would have linted them before they ran."""
    if fault is None or not fault.lint_files:
        return None
    from driftline.lint import lint_files

    findings = lint_files([f() for f in fault.lint_files], baseline=reference_view())
    detection = _detection("lint", findings, "the scripts pass lint")
    if detection.fired:  # lint runs before the script does: it would have stopped it
        detection = Detection(
            "lint",
            True,
            f"would have failed CI before the script ran: {detection.summary}",
            fault_at,
            detection.findings,
        )
    return detection


def run_checks(
    engine: Engine,
    baselines: dict[str, Any],
    fault: Fault | None,
    fault_at: datetime | None = None,
) -> list[Detection]:
    """Every checker against the live database (and the fault's scripts, when it has any)."""
    detections = [schema_check(engine, baselines), plan_check(engine, baselines)]
    linted = lint_check(fault, fault_at)
    if linted is not None:
        detections.append(linted)
    return detections


def attach_findings(run: RunResult, detections: list[Detection]) -> None:
    """Add the detectors' findings to the run's run.json, so ``driftline report`` shows them."""
    path = Path(run.run_dir) / "run.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    extra = [
        f.to_dict() for d in detections for f in d.findings if d.detector != "stress thresholds"
    ]
    document["findings"] = list(document.get("findings", [])) + extra
    document["detections"] = [d.to_dict() for d in detections]
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def write_drill(result) -> Path:  # type: ignore[no-untyped-def]
    path = result.directory / "drill.json"
    path.write_text(json.dumps(result.to_dict(), indent=2) + "\n", encoding="utf-8")
    return path
