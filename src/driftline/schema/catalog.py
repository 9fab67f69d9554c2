"""Loading the catalog SQL files (package data) and running them."""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection


@functools.cache
def sql(dialect: str, name: str) -> str:
    return (resources.files("driftline.schema") / "sql" / dialect / f"{name}.sql").read_text()


def rows(conn: Connection, dialect: str, name: str) -> list[Any]:
    """Run one catalog query (``text()`` takes care of each driver's placeholder escaping)."""
    return conn.execute(sa.text(sql(dialect, name))).all()


def objects(conn: Connection, dialect: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Views (name → normalized definition) and every other object kind (kind → names)."""
    from driftline.schema.normalize import expression

    views: dict[str, str] = {}
    other: dict[str, list[str]] = {}
    for r in rows(conn, dialect, "objects"):
        if r.kind == "view":
            views[r.name] = expression(r.detail, dialect) or ""
        else:
            other.setdefault(r.kind, []).append(r.name)
    return dict(sorted(views.items())), other
