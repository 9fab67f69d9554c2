"""The DDL that restores a vanished index, taken from a schema baseline file when one is given.

A schema baseline (``kind: schema``, see design.md) lists each table's indexes with their
columns; the restoring statement is built from that definition, which is the reviewed source of
truth, rather than from what the plan capture saw.
"""

from __future__ import annotations

from pathlib import Path

from driftline import dialects
from driftline.plans.catalog import IndexInfo
from driftline.plans.diff import DdlBuilder, create_index_ddl
from driftline.schema.model import Index
from driftline.yamlfile import check_header, load_yaml


def schema_baseline_ddl(path: str | Path) -> DdlBuilder:
    """A DDL builder that prefers the schema baseline's definition of an index."""
    doc = load_yaml(path)
    data = check_header(doc, "schema")
    tables = data.get("tables") or {}
    if not isinstance(tables, dict):
        raise doc.error("'tables' must be a mapping", "tables")
    known: dict[str, tuple[str, dict]] = {}
    for table, spec in tables.items():
        for name, index in ((spec or {}).get("indexes") or {}).items():
            if isinstance(index, dict):
                known[str(name)] = (str(table), index)

    def build(dialect: str, index: IndexInfo) -> str:
        if index.name not in known:
            return create_index_ddl(dialect, index)
        table, spec = known[index.name]
        columns = tuple(str(c) for c in spec.get("columns") or index.columns)
        model = Index(index.name, columns, bool(spec.get("unique")))
        return dialects.get(dialect).ddl.create_index(table, model)

    return build
