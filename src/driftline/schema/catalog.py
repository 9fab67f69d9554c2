"""Loading the catalog SQL files (package data) and running them."""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

from sqlalchemy.engine import Connection


@functools.cache
def sql(dialect: str, name: str) -> str:
    return (resources.files("driftline.schema") / "sql" / dialect / f"{name}.sql").read_text()


def rows(conn: Connection, dialect: str, name: str) -> list[Any]:
    return conn.exec_driver_sql(
        sql(dialect, name).replace("%", "%%") if dialect == "mysql" else sql(dialect, name)
    ).all()
