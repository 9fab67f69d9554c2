"""The DDL that restores a vanished index, taken from a schema baseline file when one is given.

A schema baseline (``kind: schema``, see design.md) holds each table's index definitions; the
restoring statement is rendered from that definition, which is the reviewed source of truth,
rather than from what the plan capture saw.
"""

from __future__ import annotations

from pathlib import Path

from driftline import dialects
from driftline.plans.catalog import TableInfo
from driftline.plans.diff import DdlBuilder, create_index_ddl
from driftline.schema.baseline import load_baseline


def schema_baseline_ddl(path: str | Path) -> DdlBuilder:
    """A DDL builder that prefers the schema baseline's definition of an index."""
    known = {
        name: (table, index)
        for table, spec in load_baseline(path).schema.tables.items()
        for name, index in spec.indexes.items()
    }

    def build(dialect: str, table: TableInfo, index: str) -> str:
        if index not in known:
            return create_index_ddl(dialect, table, index)
        qualified, definition = known[index]
        return dialects.get(dialect).ddl.create_index(qualified, definition)

    return build
