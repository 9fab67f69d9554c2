"""Dropping a system's critical index and putting it back exactly as it was.

:func:`index_ddl` reads the index's own definition from the live server's catalog (the schema
inspector every check uses) before anything is dropped, and the dialect's DDL renderer writes
the statements, so the restore re-creates what was there, whatever the adapter says; the drill's
recovery schema check compares the result with the baseline taken before the drop. The drill
writes that DDL into its directory first (``restore.sql``): a drill stopped hard leaves the
statement that undoes it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from driftline import dialects
from driftline.errors import UsageError

if TYPE_CHECKING:
    from driftline.schema.model import Index, Schema, Table


@dataclass(frozen=True)
class DroppedIndex:
    """An index, with the statements that drop and re-create it."""

    name: str
    table: str
    drop: str
    create: str


def _find(schema: Schema, name: str, table: str) -> tuple[Table, Index] | None:
    """The table and index named (case-insensitively; the table by its name without schema)."""
    for tab in schema.tables.values():
        if tab.name.rsplit(".", 1)[-1].lower() != table.lower():
            continue
        for index in tab.indexes.values():
            if index.name.lower() == name.lower():
                return tab, index
        if name.lower() in {u.lower() for u in tab.uniques} or name.upper() == "PRIMARY":
            raise UsageError(
                f"index {name} backs a constraint of {table}; DROP INDEX cannot drop it"
            )
    return None


def _read(engine: Engine, name: str, table: str) -> DroppedIndex | None:
    from driftline.schema.inspect import inspect

    found = _find(inspect(engine), name, table)
    if found is None:
        return None
    tab, index = found
    # The drill's own DDL runs in a transaction: never CONCURRENTLY.
    ddl = copy.copy(dialects.of(engine).ddl)
    ddl.concurrent_indexes = False
    drop = ddl.drop_index(tab.name, index.name).rstrip(";")
    return DroppedIndex(index.name, tab.name, drop, ddl.create_index(tab.name, index).rstrip(";"))


def index_ddl(engine: Engine, name: str, table: str) -> DroppedIndex:
    """How to drop and re-create index ``name`` of ``table``, read from the live server.

    A missing index is a usage error: the drill would test nothing (and it may be what an
    earlier drill that was stopped hard left behind)."""
    found = _read(engine, name, table)
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
    if _read(engine, index.name, index.table.rsplit(".", 1)[-1]) is None:
        with engine.begin() as conn:
            conn.exec_driver_sql(index.create)
