"""What lint needs to know from a schema baseline, read from the baseline file.

Reads the file with ``driftline.schema.baseline.load_baseline`` (so a malformed baseline fails the
same way as for ``schema check``) and keeps only what the rules ask: critical names, baselined
tables, index → columns, foreign-key and constraint columns. Names are compared bare and
lower-case (``public.ticket`` and ``ticket`` are one table), as migrations rarely qualify them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from driftline.schema.baseline import load_baseline

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
#: ordering words of normalized index keys ("changed_at desc nulls last"), not columns
_ORDERING = {"asc", "desc", "nulls", "first", "last"}


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
        names += [m.lower() for m in _IDENT.findall(str(item)) if m.lower() not in _ORDERING]
    return names


@dataclass
class BaselineView:
    path: str = ""
    dialect: str = ""
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
    """The lint view of a schema baseline, read through ``driftline.schema.baseline``."""
    baseline = load_baseline(path)
    view = BaselineView(path=str(path), dialect=baseline.dialect)
    view.critical_indexes = {bare(n) for n in baseline.critical_indexes}
    view.critical_tables = {bare(n) for n in baseline.critical_tables}
    for qualified, spec in baseline.schema.tables.items():
        table = bare(qualified)
        view.tables.add(table)
        for name, index in spec.indexes.items():
            view.indexes[bare(name)] = (table, _columns(list(index.columns)))
        used = set(_columns(list(spec.primary_key)))
        fks = []
        for fk in spec.foreign_keys.values():
            cols = _columns(list(fk.columns))
            fks.append(cols)
            used |= set(cols)
        for cols in spec.uniques.values():
            used |= set(_columns(list(cols)))
        for check in spec.checks.values():
            used |= set(_columns(check))
        view.foreign_keys[table] = fks
        view.constraint_columns[table] = used
    return view
