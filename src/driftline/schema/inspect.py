"""``inspect(url_or_engine) -> Schema``: a constant number of catalog queries per database, read
inside :func:`driftline.db.read_only` (read-only transaction, statement and lock timeouts)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from driftline import dialects
from driftline.db import (
    Timeouts,
    make_engine,
    parse_url,
    plain_url,
    read_only,
    refuse_without_database,
    server_version,
)
from driftline.schema.gcpause import gc_paused
from driftline.schema.model import Schema

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine


def inspect(db: str | Engine, timeouts: Timeouts | None = None) -> Schema:
    """Snapshot the live schema of ``db`` (a URL or an engine)."""
    from driftline.schema import normalize

    with gc_paused():
        schema = _inspect(db, timeouts)
    normalize.remember()
    return schema


def _inspect(db: str | Engine, timeouts: Timeouts | None) -> Schema:
    if isinstance(db, str) and (url := plain_url(db)) is not None:
        dialect = dialects.of(url)
        refuse_without_database(url)
        t = timeouts or Timeouts()
        session = dialect.catalog_session(url, t)
        if session is not None:
            with session as conn:
                if dialect.catalog_prefetch:
                    from driftline.schema.catalog import Prefetching

                    conn = Prefetching(
                        conn,
                        lambda: dialect.catalog_session(url, t),
                        dialect.name,
                        dialect.catalog_prefetch,
                    )
                return dialect.inspect(conn, dialect.server_version(conn))
    from sqlalchemy.engine import Engine

    from driftline.errors import ConnectionFailed

    own = not isinstance(db, Engine)
    engine = make_engine(db) if own else db
    if own and dialects.of(engine).file_based:
        from pathlib import Path

        path = parse_url(db).database
        if path and path != ":memory:" and not Path(path).exists():
            raise ConnectionFailed(f"no SQLite database at {path} (a check never creates one)")
    try:
        with read_only(engine, timeouts) as conn:
            return inspect_connection(conn)
    finally:
        if own:
            engine.dispose()


def inspect_connection(conn: Connection) -> Schema:
    """Snapshot through an open connection, inside whatever transaction it is in (tests use
    this to see uncommitted DDL; checks go through :func:`inspect`, which is read-only)."""
    return dialects.of(conn).inspect(conn, server_version(conn))
