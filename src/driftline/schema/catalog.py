"""Loading the catalog SQL files (package data) and running them."""

from __future__ import annotations

import collections
import functools
from importlib import resources
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

#: kinds whose definition the objects query returns and the model compares
MODELLED = ("view", "materialized view", "extension")


@functools.cache
def sql(dialect: str, name: str) -> str:
    return (resources.files("driftline.schema") / "sql" / dialect / f"{name}.sql").read_text()


@functools.cache
def _record(fields: tuple[str, ...]) -> type:
    return collections.namedtuple("CatalogRow", fields, rename=True)


def rows(conn: Connection, dialect: str, name: str) -> list[Any]:
    """Run one catalog query (``text()`` takes care of each driver's placeholder escaping).

    Rows are named tuples: reading a field of one is a few times cheaper than of a SQLAlchemy
    row, and the inspectors read every field of tens of thousands of rows.
    """
    result = conn.execute(sa.text(sql(dialect, name)))
    record = _record(tuple(result.keys()))
    return [record._make(row) for row in result]


def objects(
    conn: Connection, dialect: str
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
