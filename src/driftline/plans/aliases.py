"""Alias → table name of a query, so plans name tables, never aliases (sqlglot)."""

from __future__ import annotations

import functools

import sqlglot
from sqlglot import exp

from driftline.db import sqlglot_dialect


@functools.lru_cache(maxsize=512)
def _aliases(sql: str, dialect: str) -> tuple[tuple[str, str], ...]:
    try:
        trees = sqlglot.parse(sql, read=sqlglot_dialect(dialect))
    except sqlglot.errors.SqlglotError:
        return ()
    found: dict[str, str] = {}
    for tree in trees:
        if tree is None:
            continue
        for table in tree.find_all(exp.Table):
            if table.name:
                found[table.alias_or_name] = table.name
    return tuple(sorted(found.items()))


def alias_map(sql: str, dialect: str) -> dict[str, str]:
    """``{"l": "ticket_status_log", "ticket": "ticket"}``; empty when the SQL does not parse."""
    return dict(_aliases(sql, dialect))
