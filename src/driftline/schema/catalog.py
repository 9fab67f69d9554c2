"""Loading the catalog SQL files (package data) and running them."""

from __future__ import annotations

import collections
import functools
from importlib import resources
from typing import Any

#: kinds whose definition the objects query returns and the model compares
MODELLED = ("view", "materialized view", "extension")


@functools.cache
def sql(dialect: str, name: str) -> str:
    return (resources.files("driftline.schema") / "sql" / dialect / f"{name}.sql").read_text()


@functools.cache
def _record(fields: tuple[str, ...]) -> type:
    return collections.namedtuple("CatalogRow", fields, rename=True)


def driver_connection(conn: Any) -> Any:
    """The DB-API connection under a SQLAlchemy connection (or ``conn`` itself, when it is one)."""
    proxied = getattr(conn, "connection", None)  # sqlalchemy.engine.Connection
    return getattr(proxied, "driver_connection", None) or conn


def rows(conn: Any, dialect: str, name: str) -> list[Any]:
    """Run one catalog query on a DB-API or SQLAlchemy connection, in its open transaction.

    The query goes to the driver's cursor without parameters, so no driver reads ``%`` or ``:``
    in it as a placeholder, and all rows come back in one ``fetchall``. Rows are named tuples:
    reading a field of one is a few times cheaper than of a SQLAlchemy row, and the inspectors
    read every field of tens of thousands of rows.
    """
    cursor = driver_connection(conn).cursor()
    try:
        cursor.execute(sql(dialect, name))
        record = _record(tuple(d[0] for d in cursor.description))
        return list(map(record._make, cursor.fetchall()))
    finally:
        cursor.close()


def objects(
    conn: Any, dialect: str
) -> tuple[dict[str, dict[str, str]], dict[str, tuple[str, ...]]]:
    """Modelled objects (kind → name → normalized definition or version) and every other
    object kind (kind → sorted names)."""
    from driftline.schema.normalize import expression

    modelled: dict[str, dict[str, str]] = {k: {} for k in MODELLED}
    other: dict[str, list[str]] = {}
    for r in rows(conn, dialect, "objects"):
        if r.kind in ("view", "materialized view"):
            modelled[r.kind][r.name] = expression(r.detail, dialect) or ""
        elif r.kind in modelled:
            modelled[r.kind][r.name] = r.detail or ""
        else:
            other.setdefault(r.kind, []).append(r.name)
    return (
        {k: dict(sorted(v.items())) for k, v in modelled.items()},
        {k: tuple(sorted(v)) for k, v in sorted(other.items())},
    )
