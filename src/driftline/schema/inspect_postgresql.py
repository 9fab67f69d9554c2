"""PostgreSQL: four catalog queries for the whole database, whatever its size."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.engine import Connection

from driftline.schema import normalize as n
from driftline.schema.catalog import objects, rows
from driftline.schema.model import Column, ForeignKey, Index, Schema, Table

D = "postgresql"
_INDOPTION_DESC, _INDOPTION_NULLS_FIRST = 1, 2


def _default(raw: str | None) -> str | None:
    if raw is None or raw.startswith("nextval("):  # serial: the sequence is the default
        return None
    return n.expression(raw, D)


def inspect(conn: Connection, version: str) -> Schema:
    tables: dict[str, dict] = defaultdict(
        lambda: {"columns": {}, "pk": (), "indexes": {}, "fks": {}, "uniques": {}, "checks": {}}
    )
    for r in rows(conn, D, "columns"):
        t = tables[f"{r.schema_name}.{r.table_name}"]
        default = None if r.identity else _default(r.column_default)
        t["columns"][r.column_name] = Column(
            r.column_name, n.column_type(r.data_type, D), bool(r.nullable), default
        )
    constraint_index_names = set()
    for r in rows(conn, D, "constraints"):
        t = tables[f"{r.schema_name}.{r.table_name}"]
        cols = tuple(r.columns)
        if r.kind == "p":
            t["pk"] = cols
            constraint_index_names.add((r.schema_name, r.table_name, r.name))
        elif r.kind == "u":
            t["uniques"][r.name] = cols
            constraint_index_names.add((r.schema_name, r.table_name, r.name))
        elif r.kind == "f":
            t["fks"][r.name] = ForeignKey(r.name, cols, r.ref_table, tuple(r.ref_columns))
        elif r.kind == "c":
            t["checks"][r.name] = n.expression(r.check_expr, D) or ""
    for r in rows(conn, D, "indexes"):
        if r.is_primary or (r.schema_name, r.table_name, r.index_name) in constraint_index_names:
            continue
        options = list(r.options or [])
        keys = []
        for i, raw in enumerate(r.keys[: r.key_count]):
            opt = options[i] if i < len(options) else 0
            desc = bool(opt & _INDOPTION_DESC)
            nulls_first = bool(opt & _INDOPTION_NULLS_FIRST)
            keys.append(n.key(raw, D, desc, nulls_first if desc != nulls_first else None))
        tables[f"{r.schema_name}.{r.table_name}"]["indexes"][r.index_name] = Index(
            name=r.index_name,
            columns=tuple(keys),
            unique=bool(r.is_unique),
            where=n.expression(r.predicate, D),
            include=tuple(n.expression(k, D) or k for k in r.keys[r.key_count :]),
            method=None if r.method == "btree" else r.method,
            valid=bool(r.is_valid),
        )
    views, other = objects(conn, D)
    sequences, extensions = other.pop("sequence", []), other.pop("extension", [])
    return Schema(
        dialect=D,
        server_version=version,
        tables={
            name: Table(
                name, t["columns"], t["pk"], t["indexes"], t["fks"], t["uniques"], t["checks"]
            )
            for name, t in sorted(tables.items())
        },
        views=views,
        sequences=tuple(sorted(sequences)),
        extensions=tuple(sorted(extensions)),
        not_compared={k: tuple(sorted(v)) for k, v in sorted(other.items())},
    )
