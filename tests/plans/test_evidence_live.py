"""Evidence-based severity on a real PostgreSQL: a faster full scan is never an error, a slower
plan is one, with and without ``--analyze``.

Planner settings are changed with ``ALTER DATABASE`` on the test's own throwaway database, so
every new session (the capture's and the check's) plans under them; the server is untouched.
"""

from __future__ import annotations

import pytest

from driftline.findings import Severity
from driftline.plans.capture import capture
from driftline.plans.check import check
from driftline.plans.queries import parse_queries
from driftline.scratch import scratch_database
from tests.conftest import require_server
from tests.plans.test_live import execute

ROWS = 200_000

QUERIES = """
driftline: 1
kind: queries
queries:
  - name: by_id
    sql: SELECT pad FROM item WHERE id = :id
    params: [{id: 4242}]
    critical_tables: [item]
    min_rows: 10000
  - name: most_rows
    sql: SELECT count(pad) FROM item WHERE k <= :k
    params: [{k: 5}]
    critical_tables: [item]
    min_rows: 10000
"""


@pytest.fixture(scope="module")
def item_db():
    """One table for the module (its tests only read it and reset the settings they change)."""
    with scratch_database(require_server("postgresql"), prefix="dl_test") as url:
        execute(
            url,
            "CREATE TABLE item (id int PRIMARY KEY, k int NOT NULL, pad text NOT NULL);"
            "INSERT INTO item SELECT i, mod(i, 10), repeat('x', 120) "
            f"FROM generate_series(1, {ROWS}) i;"
            "CREATE INDEX ix_item_k ON item (k); ANALYZE item;",
        )
        yield url


@pytest.fixture
def items(item_db):
    _set(item_db, "")
    return item_db


def _database(url: str) -> str:
    return url.rsplit("/", 1)[1].split("?")[0]


def _set(url: str, settings: str) -> None:
    """Planner settings for every new session of the test database (empty: reset them).

    Plans stay serial: on a loaded machine, parallel workers' start-up would dominate the times
    compared here."""
    name = _database(url)
    if not settings:
        execute(url, f'ALTER DATABASE "{name}" RESET ALL')
        execute(url, f'ALTER DATABASE "{name}" SET max_parallel_workers_per_gather = 0')
        return
    for item in settings.split(","):
        key, value = item.split("=")
        execute(url, f'ALTER DATABASE "{name}" SET {key.strip()} = {value.strip()}')


def _baseline(url, tmp_path, analyze: bool):
    path = tmp_path / f"plans-{analyze}.yaml"
    capture(url, parse_queries(QUERIES), analyze=analyze, runs=5).save(path)
    return path


def _by_query(findings, name):
    return sorted((f.severity, f.kind) for f in findings if f.details.get("query") == name)


@pytest.mark.parametrize("analyze", [False, True], ids=["estimated", "measured"])
def test_a_faster_full_scan_is_never_an_error(items, tmp_path, analyze):
    # The baseline reads 60% of the table through its index, row by row (sequential and bitmap
    # scans forbidden; a bitmap scan reads every page too, as fast as the full scan) ...
    _set(items, "enable_seqscan=off, enable_bitmapscan=off")
    baseline = _baseline(items, tmp_path, analyze)
    _set(items, "")
    # ... the live database reads it with a full scan, which is faster.
    result = check(items, baseline, ci=True, analyze=analyze, runs=5)
    found = _by_query(result.findings, "most_rows")
    assert "plan.full_scan" in {kind for _, kind in found}, found
    assert all(severity < Severity.ERROR for severity, _ in found), result.findings
    scan = next(f for f in result.findings if f.kind == "plan.full_scan")
    if analyze:
        assert scan.severity is Severity.INFO and "measured" in scan.message
    else:
        assert scan.severity is Severity.WARNING
    assert _by_query(result.findings, "by_id") == []


@pytest.mark.parametrize("analyze", [False, True], ids=["estimated", "measured"])
def test_a_slower_plan_is_an_error(items, tmp_path, analyze):
    baseline = _baseline(items, tmp_path, analyze)
    # No index or bitmap scans: the primary-key lookup must read the whole table.
    _set(items, "enable_indexscan=off, enable_bitmapscan=off")
    result = check(items, baseline, ci=True, analyze=analyze, runs=5)
    found = _by_query(result.findings, "by_id")
    assert (Severity.ERROR, "plan.full_scan") in found, result.findings
    scan = next(f for f in result.findings if f.kind == "plan.full_scan")
    assert ("slower" if analyze else "estimated cost") in scan.message
    assert scan.details["table"] == "item"


def test_other_cost_settings_make_estimates_no_evidence(items, tmp_path):
    baseline = _baseline(items, tmp_path, False)
    _set(items, "random_page_cost=400, enable_indexscan=off, enable_bitmapscan=off")
    result = check(items, baseline, ci=True)
    scan = next(f for f in result.findings if f.details.get("query") == "by_id")
    assert scan.kind == "plan.full_scan" and scan.severity is Severity.WARNING
    assert "random_page_cost 4 → 400" in scan.message
