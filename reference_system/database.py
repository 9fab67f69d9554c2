"""Engines and transactions of the reference system, with each dialect's session settings.

All timestamps are naive UTC in Python; PostgreSQL and MariaDB sessions run in UTC so comparisons
with parameters are exact. SQLite runs in WAL mode with a busy timeout, and write transactions
start with ``BEGIN IMMEDIATE`` so concurrent writers queue instead of failing on lock upgrade.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from driftline.db import dialect_of, parse_url
from driftline.db import make_engine as _make_engine


def utcnow() -> datetime:
    """Now, as a naive UTC datetime (the reference system's one time representation)."""
    return datetime.now(UTC).replace(tzinfo=None)


def naive_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def iso(value: datetime | None) -> str | None:
    """``2026-11-25T07:00:00.123456Z`` for the API."""
    value = naive_utc(value)
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


#: Per dialect: connect arguments that put the session in UTC.
_SESSION_UTC = {
    "postgresql": {"options": "-c timezone=UTC", "application_name": "refsys"},
    "mysql": {"charset": "utf8mb4", "init_command": "SET time_zone = '+00:00'"},
}


def make_engine(url: str | None, pool_size: int = 20) -> Engine:
    """An engine for the reference system (SQLite file by default)."""
    parsed = parse_url(url)
    dialect = dialect_of(parsed)
    if dialect == "sqlite":
        engine = _make_engine(parsed, connect_args={"timeout": 30, "check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    return _make_engine(
        parsed,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        connect_args={"connect_timeout": 5, **_SESSION_UTC[dialect]},
    )


def _configure_sqlite(engine: Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


@contextlib.contextmanager
def write_tx(engine: Engine) -> Iterator[Connection]:
    """A write transaction (``BEGIN IMMEDIATE`` on SQLite), committed on success."""
    with engine.connect() as conn:
        conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            yield conn


@contextlib.contextmanager
def read_tx(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn, conn.begin():
        yield conn
