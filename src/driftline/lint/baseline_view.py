"""What lint needs to know from a schema baseline, read from the baseline file.

Reads the baseline format of ``driftline schema snapshot`` (``driftline: 1``, ``kind: schema``):
``critical: {indexes: [...], tables: [...]}`` and ``tables: {schema.table: {columns, primary_key,
indexes: {name: {columns: [...]}}, foreign_keys, unique, checks}}``. Names are compared bare and
lower-case (``public.ticket`` and ``ticket`` are one table), as migrations rarely qualify them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from driftline.yamlfile import check_header, load_yaml

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")


def bare(name: str) -> str:
    """``public."Ticket"`` → ``ticket``: the last dotted part, unquoted, lower-case."""
    return name.strip().split(".")[-1].strip('"`[]').lower()


def _columns(value: Any) -> list[str]:
    """Column names of an index/constraint entry (expressions yield the identifiers in them)."""
    if isinstance(value, dict):
        value = value.get("columns") or value.get("expressions") or []
    if isinstance(value, str):
        value = [value]
    names: list[str] = []
    for item in value or []:
        if isinstance(item, dict):
            item = item.get("name") or item.get("expression") or item.get("column") or ""
        names += [m.lower() for m in _IDENT.findall(str(item))]
    return names


def _entries(value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return list(value.items())
    if isinstance(value, list):
        return [
            (str(v.get("name", i)) if isinstance(v, dict) else str(i), v)
            for i, v in enumerate(value)
        ]
    return []


@dataclass
class BaselineView:
    path: str = ""
    tables: set[str] = field(default_factory=set)
    critical_tables: set[str] = field(default_factory=set)
    critical_indexes: set[str] = field(default_factory=set)
    #: index name → (table, columns)
    indexes: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    #: table → column lists of its foreign keys
    foreign_keys: dict[str, list[list[str]]] = field(default_factory=dict)
    #: table → columns used by its primary key, unique, check and foreign-key constraints
    constraint_columns: dict[str, set[str]] = field(default_factory=dict)

    def index_users(self, table: str, column: str) -> list[str]:
        return sorted(n for n, (t, cols) in self.indexes.items() if t == table and column in cols)

    def only_index_for_fk(self, index: str) -> list[str] | None:
        """The FK columns the index ``index`` alone serves (leading columns), or None."""
        if index not in self.indexes:
            return None
        table, cols = self.indexes[index]
        for fk in self.foreign_keys.get(table, []):
            if cols[: len(fk)] != fk:
                continue
            others = [
                n
                for n, (t, c) in self.indexes.items()
                if t == table and n != index and c[: len(fk)] == fk
            ]
            if not others:
                return fk
        return None


def load_view(path: str | Path) -> BaselineView:
    doc = load_yaml(path)
    data = check_header(doc, "schema")
    view = BaselineView(path=str(path))
    critical = data.get("critical") or {}
    if not isinstance(critical, dict):
        raise doc.error("'critical' must be a mapping with 'indexes' and/or 'tables'", "critical")
    view.critical_indexes = {bare(n) for n in critical.get("indexes") or []}
    view.critical_tables = {bare(n) for n in critical.get("tables") or []}
    tables = data.get("tables") or {}
    if not isinstance(tables, dict):
        raise doc.error("'tables' must be a mapping of table name to definition", "tables")
    for qualified, spec in tables.items():
        table = bare(str(qualified))
        view.tables.add(table)
        spec = spec if isinstance(spec, dict) else {}
        for name, index in _entries(spec.get("indexes")):
            view.indexes[bare(name)] = (table, _columns(index))
        used = set(_columns(spec.get("primary_key")))
        fks = []
        for _name, fk in _entries(spec.get("foreign_keys")):
            cols = _columns(fk)
            fks.append(cols)
            used |= set(cols)
        for key in ("unique", "unique_constraints", "checks", "check_constraints"):
            for _name, item in _entries(spec.get(key)):
                used |= set(_columns(item))
        view.foreign_keys[table] = fks
        view.constraint_columns[table] = used
    return view
