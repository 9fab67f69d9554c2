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
