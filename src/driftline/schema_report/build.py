"""Build a :class:`DailyReport` from a live database and its schema baseline.

The same comparison as ``driftline schema check`` (baseline → read-only inspection → pure diff),
keeping what a report shows beyond findings: server version, object counts, critical objects,
the check's duration.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from driftline.db import Timeouts, describe
from driftline.findings import Severity
from driftline.schema.check import compare
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
    base, live, findings = compare(db_url, baseline, timeouts=timeouts)
    database = describe(db_url)
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
