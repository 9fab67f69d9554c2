"""Dropping a system's critical index and putting it back exactly as it was.

:func:`index_ddl` reads the index's own definition from the live server before anything is
dropped (PostgreSQL's ``pg_get_indexdef``; MySQL/MariaDB's ``information_schema.statistics``;
SQLite's ``sqlite_master``), so the restore re-creates what was there, whatever the adapter
says. The drill writes that DDL into its directory first (``restore.sql``): a drill stopped hard
leaves the statement that undoes it.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from driftline import dialects
from driftline.errors import UsageError


@dataclass(frozen=True)
class DroppedIndex:
    """An index, with the statements that drop and re-create it."""

    name: str
    table: str
    drop: str
    create: str


def _quote(engine: Engine, name: str) -> str:
    return engine.dialect.identifier_preparer.quote(name)


def _pg(conn: sa.Connection, engine: Engine, name: str, table: str) -> DroppedIndex | None:
    row = conn.execute(
        sa.text(
            "SELECT pg_get_indexdef(i.indexrelid) AS ddl, n.nspname AS schema, "
            "ic.relname AS name, t.relname AS tab, "
            "EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) AS owned "
            "FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
            "JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = ic.relnamespace "
            "WHERE lower(ic.relname) = lower(:name) AND lower(t.relname) = lower(:table) "
            "AND n.nspname = ANY (current_schemas(false)) ORDER BY n.nspname LIMIT 1"
        ),
        {"name": name, "table": table},
    ).first()
    if row is None:
        return None
    if row.owned:
        raise UsageError(
            f"index {row.name} backs a constraint of {row.tab}; DROP INDEX cannot drop it"
        )
    drop = f"DROP INDEX {_quote(engine, row.schema)}.{_quote(engine, row.name)}"
    return DroppedIndex(row.name, row.tab, drop, row.ddl)


def _mysql(conn: sa.Connection, engine: Engine, name: str, table: str) -> DroppedIndex | None:
    rows = conn.execute(
        sa.text(
            "SELECT INDEX_NAME AS name, TABLE_NAME AS tab, NON_UNIQUE AS non_unique, "
            "COLUMN_NAME AS col, SUB_PART AS sub_part FROM information_schema.statistics "
            "WHERE TABLE_SCHEMA = DATABASE() AND lower(TABLE_NAME) = lower(:table) "
            "AND lower(INDEX_NAME) = lower(:name) ORDER BY SEQ_IN_INDEX"
        ),
        {"name": name, "table": table},
    ).all()
    if not rows:
        return None
    first = rows[0]
    if first.name.upper() == "PRIMARY":
        raise UsageError(f"{first.tab}'s primary key is not an index a drill drops")
    columns = ", ".join(
        _quote(engine, r.col) + (f"({int(r.sub_part)})" if r.sub_part else "") for r in rows
    )
    unique = "" if int(first.non_unique) else "UNIQUE "
    ix, tab = _quote(engine, first.name), _quote(engine, first.tab)
    return DroppedIndex(
        first.name,
        first.tab,
        f"DROP INDEX {ix} ON {tab}",
        f"CREATE {unique}INDEX {ix} ON {tab} ({columns})",
    )


def _sqlite(conn: sa.Connection, engine: Engine, name: str, table: str) -> DroppedIndex | None:
    row = conn.execute(
        sa.text(
            "SELECT name, tbl_name AS tab, sql FROM sqlite_master WHERE type = 'index' "
            "AND lower(name) = lower(:name) AND lower(tbl_name) = lower(:table)"
        ),
        {"name": name, "table": table},
    ).first()
    if row is None:
        return None
    if not row.sql:
        raise UsageError(f"index {row.name} backs a constraint of {row.tab}; it cannot be dropped")
    return DroppedIndex(row.name, row.tab, f"DROP INDEX {_quote(engine, row.name)}", row.sql)


_READERS = {"postgresql": _pg, "mysql": _mysql, "sqlite": _sqlite}


def index_ddl(engine: Engine, name: str, table: str) -> DroppedIndex:
    """How to drop and re-create index ``name`` of ``table``, read from the live server.

    A missing index is a usage error: the drill would test nothing (and it may be what an
    earlier drill that was stopped hard left behind)."""
    reader = _READERS[dialects.of(engine).name]
    with engine.connect() as conn:
        found = reader(conn, engine, name, table)
    if found is None:
        raise UsageError(
            f"index {name} of table {table} does not exist in the database: re-create it first "
            "(a drill stopped hard leaves restore.sql in its directory)"
        )
    return found


#: how long the drill's DDL waits for a lock another session holds before it gives up
DDL_LOCK_TIMEOUT_MS = 10_000


def drop(engine: Engine, index: DroppedIndex) -> None:
    """Drop the index, waiting at most :data:`DDL_LOCK_TIMEOUT_MS` for a lock another session
    holds on its table (then one line naming the host, not a drill that hangs)."""
    from driftline.db import Timeouts, database_error

    with engine.begin() as conn:
        setting = dialects.of(engine).lock_timeout_sql(DDL_LOCK_TIMEOUT_MS)
        if setting:
            conn.exec_driver_sql(setting)
        try:
            conn.exec_driver_sql(index.drop)
        except sa.exc.DBAPIError as exc:
            waited = Timeouts(lock_ms=DDL_LOCK_TIMEOUT_MS)
            what = f"drill: {index.drop}"
            mapped = database_error(engine.url, exc, waited, what, options=False)
            if mapped is exc:
                raise
            raise mapped from None


def restore(engine: Engine, index: DroppedIndex) -> None:
    """Re-create the index unless it is back already (restoring twice is harmless)."""
    reader = _READERS[dialects.of(engine).name]
    with engine.connect() as conn:
        present = reader(conn, engine, index.name, index.table)
    if present is None:
        with engine.begin() as conn:
            conn.exec_driver_sql(index.create)
