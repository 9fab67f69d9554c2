"""One object per database family; everything that differs between them lives on it.

    from driftline import dialects
    d = dialects.get("postgres+psycopg")   # any spelling: postgresql/postgres/pg, mysql/mariadb,
    d.name, d.sqlglot                       # sqlite/sqlite3, with or without +driver
    dialects.of(engine_or_url).quote("ticket")
    d.ddl.create_index("public.ticket", index)   # every fix/restore statement: see dialects.ddl
    if dialects.of(url) is dialects.POSTGRESQL: …  # compare objects, never names

An unknown name raises :class:`~driftline.errors.UsageError` with "did you mean …?". A dialect
holds connecting (driver, connect options, read-only session with statement and lock timeouts),
the server version, the schema inspector, the plans module (EXPLAIN and its parser), scratch
database DDL, quoting and identifier folding, and the DDL renderer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from driftline.dialects.base import Dialect
from driftline.dialects.mysql import MySQL
from driftline.dialects.postgresql import PostgreSQL
from driftline.dialects.sqlite import SQLite
from driftline.errors import UsageError

if TYPE_CHECKING:
    from driftline.dialects.ddl import Ddl

POSTGRESQL, SQLITE, MYSQL = PostgreSQL(), SQLite(), MySQL()
#: every dialect, by canonical name, in the order they are listed to users
DIALECTS: dict[str, Dialect] = {d.name: d for d in (POSTGRESQL, SQLITE, MYSQL)}
#: every spelling a user may type → canonical name
ALIASES: dict[str, str] = {alias: d.name for d in DIALECTS.values() for alias in d.aliases}


def get(name: str | Dialect) -> Dialect:
    """The dialect of a name in any spelling (``mariadb``, ``postgres+psycopg``, ``sqlite3``)."""
    if isinstance(name, Dialect):
        return name
    key = str(name).strip().lower().split("+", 1)[0]
    if key not in ALIASES:
        raise UsageError.unknown("dialect", str(name), ALIASES)
    return DIALECTS[ALIASES[key]]


def of(source: Any) -> Dialect:
    """The dialect of a URL (string or SQLAlchemy URL), engine or connection."""
    dialect = getattr(source, "dialect", None)  # an Engine or a Connection
    if dialect is not None and hasattr(dialect, "name"):
        return get(dialect.name)
    if isinstance(source, str):
        from driftline.db import parse_url

        source = parse_url(source)
    return get(source.get_backend_name())


def ddl(name: str | Dialect) -> Ddl:
    """The DDL renderer of a dialect: ``dialects.ddl("mysql").create_index(table, index)``."""
    return get(name).ddl


__all__ = ["ALIASES", "DIALECTS", "MYSQL", "POSTGRESQL", "SQLITE", "Dialect", "ddl", "get", "of"]
