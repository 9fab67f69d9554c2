"""Plans from where DBAs already have them: the statements of ``pg_stat_statements``.

``pg_stat_statements`` keeps each statement normalized, its constants replaced by ``$1``, ``$2``
…, so there are no values to EXPLAIN with. What it can give is the **generic plan**, the one the
server would use for any values: ``EXPLAIN (GENERIC_PLAN)`` on PostgreSQL 16 and later; on
older servers the statement is prepared and explained under ``plan_cache_mode =
force_generic_plan`` with every parameter NULL (a generic plan never looks at the values).
Everything runs in the capture's read-only transaction, which is rolled back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy.engine import Connection

from driftline import dialects
from driftline.db import Timeouts, read_only
from driftline.errors import UsageError
from driftline.plans.capture import Capture, _engine, capture
from driftline.plans.queries import Query, QueryFile

#: Statements whose plans are worth keeping (utility statements such as SET or VACUUM are not).
_PLANNABLE = re.compile(r"^\s*(select|with|insert|update|delete|merge|values|table)\b", re.I)
_PARAM = re.compile(r"\$(\d+)")
TOP_SQL = """
SELECT s.queryid, s.query, s.calls, s.total_exec_time, s.mean_exec_time, s.rows
FROM pg_stat_statements s
JOIN pg_database d ON d.oid = s.dbid
WHERE d.datname = current_database() AND s.toplevel
ORDER BY s.total_exec_time DESC, s.queryid
"""


def _major(conn: Connection) -> int:
    return int(conn.exec_driver_sql("SHOW server_version_num").scalar()) // 10000


def top_queries(conn: Connection, top: int) -> list[Query]:
    """The ``top`` plannable statements of this database by total execution time, as generic
    queries named ``pgss_<queryid>``."""
    if dialects.of(conn) is not dialects.POSTGRESQL:
        raise UsageError("--from-pg-stat-statements needs a PostgreSQL database")
    installed = conn.exec_driver_sql(
        "SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'"
    ).scalar()
    if not installed:
        raise UsageError(
            "pg_stat_statements is not installed in this database: add it to "
            "shared_preload_libraries and run CREATE EXTENSION pg_stat_statements"
        )
    found: list[Query] = []
    for row in conn.exec_driver_sql(TOP_SQL):
        if len(found) >= top:
            break
        if not _PLANNABLE.match(row.query) or "pg_stat_statements" in row.query:
            continue
        name = f"pgss_{row.queryid}".replace("-", "m")
        description = (
            f"{row.calls:,} calls, {row.mean_exec_time:,.3f} ms mean, "
            f"{row.total_exec_time:,.1f} ms total (pg_stat_statements)"
        )
        found.append(Query(name, row.query.strip(), description=description, generic=True))
    return found


def explain_generic(conn: Connection, sql: str) -> Any:
    """The generic plan of a statement with ``$n`` parameters, as EXPLAIN's JSON.

    Runs in a savepoint, so a statement the server cannot plan without values fails alone."""
    escaped = sql.replace("%", "%%")  # the driver formats even without parameters
    with conn.begin_nested():
        if _major(conn) >= 16:
            return conn.exec_driver_sql(f"EXPLAIN (GENERIC_PLAN, FORMAT JSON) {escaped}").scalar()
        count = max((int(n) for n in _PARAM.findall(sql)), default=0)
        mode = conn.exec_driver_sql("SHOW plan_cache_mode").scalar()
        conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
        conn.exec_driver_sql(f"PREPARE driftline_generic AS {escaped}")
        try:
            args = f"({', '.join(['NULL'] * count)})" if count else ""
            return conn.exec_driver_sql(
                f"EXPLAIN (FORMAT JSON) EXECUTE driftline_generic{args}"
            ).scalar()
        finally:
            conn.exec_driver_sql("DEALLOCATE driftline_generic")
            conn.exec_driver_sql(f"SET LOCAL plan_cache_mode = {mode}")


def capture_top(
    url: str,
    *,
    top: int = 20,
    timeouts: Timeouts | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> Capture:
    """Capture the generic plans of the ``top`` statements of ``pg_stat_statements`` (by total
    execution time); a statement the server cannot plan without values is listed under the
    capture's ``metadata.skipped``."""
    if top < 1:
        raise UsageError("--top must be at least 1")
    engine = _engine(url)
    try:
        with read_only(engine, timeouts) as conn:
            queries = top_queries(conn, top)
    finally:
        engine.dispose()
    if not queries:
        raise UsageError("pg_stat_statements holds no plannable statement of this database yet")
    meta = {"source": "pg_stat_statements", "top": top, **(metadata or {})}
    found = QueryFile("<pg_stat_statements>", tuple(queries))
    return capture(url, found, timeouts=timeouts, metadata=meta, skip_failed=True)


__all__ = ["TOP_SQL", "capture_top", "explain_generic", "top_queries"]
