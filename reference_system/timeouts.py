"""Running one statement under a deadline, per dialect.

PostgreSQL: ``SET LOCAL statement_timeout``. MariaDB: ``SET STATEMENT max_statement_time=… FOR``;
MySQL: the ``MAX_EXECUTION_TIME`` hint. SQLite: a progress handler interrupts the statement at the
deadline. A statement stopped by its deadline raises :class:`QueryTimeout`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row


class QueryTimeout(Exception):
    """The statement ran past its deadline and was cancelled by the database."""


_TIMEOUT_MARKERS = (
    "statement timeout",  # PostgreSQL: canceling statement due to statement timeout
    "max_statement_time",  # MariaDB 1969
    "maximum statement execution time",  # MySQL 3024
    "interrupted",  # SQLite
)


def _is_timeout(exc: BaseException) -> bool:
    text = str(getattr(exc, "orig", exc)).lower()
    return any(marker in text for marker in _TIMEOUT_MARKERS)


def _pg(conn: Connection, sql: str, params: Mapping[str, Any], ms: int) -> Sequence[Row]:
    conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(ms)}")
    rows = conn.execute(sa.text(sql), params).all()
    # Only the pickup runs under the deadline; the assignments after it do not.
    conn.exec_driver_sql("SET LOCAL statement_timeout = 0")
    return rows


def _mysql(conn: Connection, sql: str, params: Mapping[str, Any], ms: int) -> Sequence[Row]:
    if conn.dialect.is_mariadb:  # detected by SQLAlchemy when it connected, no round trip
        wrapped = f"SET STATEMENT max_statement_time = {ms / 1000:.3f} FOR {sql}"
    else:
        wrapped = sql.replace("SELECT", f"SELECT /*+ MAX_EXECUTION_TIME({int(ms)}) */", 1)
    return conn.execute(sa.text(wrapped), params).all()


def _sqlite(conn: Connection, sql: str, params: Mapping[str, Any], ms: int) -> Sequence[Row]:
    raw = conn.connection.driver_connection
    deadline = time.monotonic() + ms / 1000
    raw.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 1000)
    try:
        return conn.execute(sa.text(sql), params).all()
    finally:
        raw.set_progress_handler(None, 0)


_RUNNERS = {"postgresql": _pg, "mysql": _mysql, "sqlite": _sqlite}


def fetch_with_timeout(
    conn: Connection, sql: str, params: Mapping[str, Any], timeout_ms: int
) -> Sequence[Row]:
    """Run ``sql`` with ``params`` under ``timeout_ms``; raise QueryTimeout when it runs out."""
    dialect = conn.dialect.name
    runner = _RUNNERS["mysql" if dialect in ("mysql", "mariadb") else dialect]
    try:
        return runner(conn, sql, params, timeout_ms)
    except sa.exc.DBAPIError as exc:
        if _is_timeout(exc):
            raise QueryTimeout(str(getattr(exc, "orig", exc)).splitlines()[0]) from exc
        raise
