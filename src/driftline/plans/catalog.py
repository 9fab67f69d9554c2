"""What a plan check needs from the catalog: each touched table's indexes and its row count.

Indexes are read by the schema inspector (:meth:`driftline.dialects.base.Dialect.inspect`) and
kept as :class:`driftline.schema.model.Index`, the one catalog model, so a restore keeps sort
order, NULLS, predicate, method and INCLUDE. Row counts and the name of the index behind each
primary key come from ``plans/sql/<dialect>_rows.sql`` (package data), through the dialect's
plans module. Captures record the catalog of the tables their plans touch, so a baseline can
later tell which index vanished and print the DDL that restores it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any

from driftline import dialects
from driftline.schema.baseline import index_from_dict, index_to_dict
from driftline.schema.model import Index

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


@dataclass(frozen=True)
class TableInfo:
    name: str
    rows: float | None
    indexes: Mapping[str, Index] = field(default_factory=dict)
    #: the index behind the primary key, where the dialect names one (not in ``indexes``)
    primary: str | None = None
    primary_key: tuple[str, ...] = ()

    def has(self, index: str) -> bool:
        return index in self.indexes or index == self.primary

    def key_columns(self, index: str) -> tuple[str, ...]:
        return self.primary_key if index == self.primary else self.indexes[index].columns

    def to_dict(self) -> dict[str, Any]:
        rows = None if self.rows is None else int(self.rows)
        data: dict[str, Any] = {"rows": rows}
        if self.primary:
            data["primary"] = {"index": self.primary, "columns": list(self.primary_key)}
        data["indexes"] = {n: index_to_dict(i) for n, i in sorted(self.indexes.items())}
        return data

    @classmethod
    def from_dict(cls, name: str, data: Mapping[str, Any]) -> TableInfo:
        primary = data.get("primary") or {}
        pk_name, pk_cols = primary.get("index"), tuple(primary.get("columns") or ())
        indexes = {}
        for index, spec in (data.get("indexes") or {}).items():
            if spec.get("primary"):  # captures of an older driftline listed the key's index here
                pk_name, pk_cols = str(index), tuple(spec.get("columns") or ())
                continue
            indexes[str(index)] = index_from_dict(str(index), spec)
        rows = data.get("rows")
        return cls(name, None if rows is None else float(rows), indexes, pk_name, pk_cols)


@dataclass(frozen=True)
class Catalog:
    tables: Mapping[str, TableInfo]

    def locate(self, index: str) -> TableInfo | None:
        """The table that has an index of this name (its primary key's included)."""
        return next((t for t in self.tables.values() if t.has(index)), None)

    def primary_indexes(self) -> set[str]:
        return {t.primary for t in self.tables.values() if t.primary}

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


def restore_sql(dialect: str, table: TableInfo, index: str) -> str:
    """The statement that restores ``index`` of ``table``, rendered by the dialect."""
    ddl = dialects.get(dialect).ddl
    if index == table.primary:
        return ddl.add_primary_key(table.name, table.primary_key)
    return ddl.create_index(table.name, table.indexes[index])


def read(conn: Connection, dialect: str, version: str, tables: set[str]) -> Catalog:
    """The catalog of ``tables`` (plans name them bare): one schema inspection plus row counts."""
    d = dialects.get(dialect)
    schema = d.inspect(conn, version)
    by_bare: dict[str, Any] = {}
    # the default schema's table wins when two schemas have one of the same name
    for qualified, table in sorted(
        schema.tables.items(), key=lambda kv: kv[0].split(".")[0] != d.default_schema
    ):
        by_bare.setdefault(qualified.split(".")[-1], table)
    counts = d.plans.read_rows(conn, tables)
    out = {}
    for name in sorted(tables):
        table = by_bare.get(name)
        if table is None or name not in counts:
            continue
        rows, primary = counts[name]
        indexes = dict(table.indexes)
        for uname, cols in table.uniques.items():  # a unique constraint's index, by its name
            if "(" not in uname:
                indexes.setdefault(uname, Index(uname, cols, unique=True))
        out[name] = TableInfo(name, rows, indexes, primary, table.primary_key)
    return Catalog(out)


def sql(name: str) -> str:
    """A catalog query shipped as package data: ``plans/sql/<name>.sql``."""
    return (resources.files("driftline.plans") / "sql" / f"{name}.sql").read_text("utf-8")
