"""What a plan check needs from the catalog: each table's indexes and its row count.

Catalog SQL lives in ``plans/sql/<dialect>_*.sql`` (package data); each dialect module turns the
rows into a :class:`Catalog`. Captures record the catalog of the tables their plans touch, so a
baseline can later tell which index vanished and print the DDL that restores it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class IndexInfo:
    name: str
    table: str
    columns: tuple[str, ...]
    unique: bool = False
    primary: bool = False

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"columns": list(self.columns), "unique": self.unique}
        if self.primary:
            data["primary"] = True
        return data


@dataclass(frozen=True)
class TableInfo:
    name: str
    rows: float | None
    indexes: Mapping[str, IndexInfo] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        rows = None if self.rows is None else int(self.rows)
        return {
            "rows": rows,
            "indexes": {n: i.to_dict() for n, i in sorted(self.indexes.items())},
        }

    @classmethod
    def from_dict(cls, name: str, data: Mapping[str, Any]) -> TableInfo:
        indexes = {
            index: IndexInfo(
                index,
                name,
                tuple(spec.get("columns") or ()),
                bool(spec.get("unique")),
                bool(spec.get("primary")),
            )
            for index, spec in (data.get("indexes") or {}).items()
        }
        rows = data.get("rows")
        return cls(name, None if rows is None else float(rows), indexes)


@dataclass(frozen=True)
class Catalog:
    tables: Mapping[str, TableInfo]

    def index(self, name: str) -> IndexInfo | None:
        for table in self.tables.values():
            if name in table.indexes:
                return table.indexes[name]
        return None

    def primary_indexes(self) -> set[str]:
        return {i.name for t in self.tables.values() for i in t.indexes.values() if i.primary}

    def rows(self, table: str) -> float | None:
        info = self.tables.get(table)
        return None if info is None else info.rows

    def subset(self, names: set[str]) -> Catalog:
        return Catalog({n: t for n, t in sorted(self.tables.items()) if n in names})

    def to_dict(self) -> dict[str, Any]:
        return {n: t.to_dict() for n, t in sorted(self.tables.items())}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Catalog:
        return cls({n: TableInfo.from_dict(n, d or {}) for n, d in (data or {}).items()})


def build(index_rows: list[Any], row_counts: Mapping[str, float | None]) -> Catalog:
    """A catalog from ``(table, index, unique, primary, position, column)`` rows."""
    columns: dict[tuple[str, str], list[tuple[int, str]]] = {}
    flags: dict[tuple[str, str], tuple[bool, bool]] = {}
    for table, index, unique, primary, position, column in index_rows:
        key = (str(table), str(index))
        columns.setdefault(key, []).append((int(position), str(column)))
        flags[key] = (bool(unique), bool(primary))
    tables: dict[str, dict[str, IndexInfo]] = {name: {} for name in row_counts}
    for (table, index), cols in columns.items():
        unique, primary = flags[(table, index)]
        ordered = tuple(c for _, c in sorted(cols))
        tables.setdefault(table, {})[index] = IndexInfo(index, table, ordered, unique, primary)
    return Catalog(
        {name: TableInfo(name, row_counts.get(name), idx) for name, idx in sorted(tables.items())}
    )


def sql(name: str) -> str:
    """A catalog query shipped as package data: ``plans/sql/<name>.sql``."""
    return (resources.files("driftline.plans") / "sql" / f"{name}.sql").read_text("utf-8")
