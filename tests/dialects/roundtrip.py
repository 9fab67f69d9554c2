"""The fix round trip: make drift on a real database, check, run every printed fix, check again.

One database per dialect holds many small tables, one drift each (SQLite's table rebuilds repair
a whole table at once, so two drifts on one table would repair each other).
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from driftline import dialects
from driftline.db import make_engine
from driftline.findings import Finding
from driftline.schema import check, snapshot


def execute(url: str, statements: list[str]) -> None:
    """Each statement on its own in autocommit, as a DBA pasting into psql/mysql/sqlite3 would
    (PostgreSQL refuses CREATE INDEX CONCURRENTLY inside a transaction block)."""
    engine = make_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for statement in statements:
                try:
                    conn.exec_driver_sql(statement)
                except sa.exc.DBAPIError as exc:
                    raise AssertionError(f"{statement!r} failed: {exc.orig}") from None
    finally:
        engine.dispose()


def script(sql: str) -> list[str]:
    return [s.strip() for s in sql.split(";\n") if s.strip()]


def round_trip(url: str, setup: str, drift: str, tmp_path: Path) -> tuple[list[Finding], int]:
    """Findings of the drift (each with a fix) and how many fix statements ran; fails unless
    the database checks clean afterwards."""
    ddl = dialects.of(url).ddl
    baseline = tmp_path / "baseline.yaml"
    execute(url, script(setup))
    snapshot(url, baseline)
    assert check(url, baseline) == []
    execute(url, script(drift))
    findings = check(url, baseline)
    without = [(f.kind, f.object) for f in findings if not f.fix]
    assert without == [], without
    ran = 0
    for finding in findings:
        statements = ddl.split(finding.fix or "")
        execute(url, statements)
        ran += len(statements)
    left = check(url, baseline)
    assert left == [], [(f.kind, f.object, f.message, f.fix) for f in left]
    return findings, ran
