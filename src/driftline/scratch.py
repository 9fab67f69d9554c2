"""Throwaway databases on a server, for tests, benchmarks, drills and ``driftline demo``.

``scratch_database(server_url)`` creates a uniquely named database, yields its URL and drops it
afterwards, even when the body fails. SQLite scratch databases are files in a directory.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

from driftline import dialects
from driftline.db import connection_error, make_engine, parse_url

DEFAULT_SERVERS = {
    "postgresql": os.environ.get(
        "DRIFTLINE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres"
    ),
    "mysql": os.environ.get("DRIFTLINE_TEST_MYSQL", "mysql://root@127.0.0.1:3306/mysql"),
}


def create_database(server_url: str, name: str) -> str:
    """Create database ``name`` on the server of ``server_url``; return its URL."""
    url = parse_url(server_url)
    engine = make_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(dialects.of(url).create_database_sql(name))
    except sa.exc.OperationalError as exc:
        raise connection_error(url, exc) from None
    finally:
        engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, name: str) -> None:
    url = parse_url(server_url)
    engine = make_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(dialects.of(url).drop_database_sql(name))
    finally:
        engine.dispose()


@contextlib.contextmanager
def scratch_database(
    server_url: str, prefix: str = "driftline", directory: Path | None = None
) -> Iterator[str]:
    """A fresh, empty database; dropped on exit. ``server_url`` may be ``sqlite``."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    if dialects.get(server_url.split(":", 1)[0]).file_based:  # "sqlite" or a URL
        base = Path(directory or ".")
        path = base / f"{name}.db"
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    url = create_database(server_url, name)
    try:
        yield url
    finally:
        drop_database(server_url, name)
