"""Build a :class:`DailyReport` from a live database and its schema baseline.

The same comparison as ``driftline schema check`` (baseline → read-only inspection → pure diff),
keeping what a report shows beyond findings: server version, object counts, critical objects,
the check's duration.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from driftline.db import Timeouts, describe
from driftline.errors import UsageError
from driftline.findings import Severity
from driftline.schema import diff_schemas, inspect, load_baseline
from driftline.schema_report.model import DailyReport, critical_status


def build_report(
    db_url: str,
    baseline: str | Path,
    *,
    fail_on: Severity | str = Severity.ERROR,
    timeouts: Timeouts | None = None,
    now: datetime | None = None,
) -> DailyReport:
    """Compare ``db_url`` with ``baseline`` and return the day's report (nothing is printed)."""
    threshold = Severity.parse(fail_on)
    started = time.perf_counter()
    base = load_baseline(baseline)
    live = inspect(db_url, timeouts)
    database = describe(db_url)
    if live.dialect != base.dialect:
        raise UsageError(f"{baseline} is a {base.dialect} baseline; {database} is {live.dialect}")
    findings = diff_schemas(
        base.schema,
        live,
        critical_tables=base.critical_tables,
        critical_indexes=base.critical_indexes,
        ignore=base.ignore,
    )
    findings = [replace(f, source=database) for f in findings]
    critical = sorted(base.critical_tables) + sorted(base.critical_indexes)
    tables = base.schema.tables
    return DailyReport(
        database=database,
        baseline=str(baseline),
        generated_at=now or datetime.now(UTC),
        findings=tuple(findings),
        fail_on=threshold,
        dialect=live.dialect,
        server_version=live.server_version or None,
        elapsed_s=time.perf_counter() - started,
        tables=len(tables),
        indexes=sum(len(t.indexes) for t in tables.values()),
        critical=critical_status(critical, findings),
    )


__all__ = ["build_report"]
