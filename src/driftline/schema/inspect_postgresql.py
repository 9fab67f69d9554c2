"""PostgreSQL: six catalog queries for the whole database, whatever its size."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from driftline.schema import normalize as n
from driftline.schema.catalog import objects, rows
from driftline.schema.model import Column, ForeignKey, Index, Schema, Sequence, Table

D = "postgresql"
_INDOPTION_DESC, _INDOPTION_NULLS_FIRST = 1, 2
_FK_ACTIONS = {"a": None, "r": "restrict", "c": "cascade", "n": "set null", "d": "set default"}
_IDENTITY = {"a": "always", "d": "by default"}


def _table_options(r) -> dict[str, str]:
    options = {
        "unlogged": "true" if r.unlogged else None,
        "row_security": ("forced" if r.force_row_security else "enabled")
        if r.row_security
        else None,
        "partition_by": r.partition_by,
        "partition_of": r.partition_of,
        "inherits": r.inherits,
        "storage": r.storage or None,
    }
    return {k: v for k, v in options.items() if v}


def _fk(r) -> ForeignKey:
    deferrable = None
    if r.deferrable:
        deferrable = "deferrable initially deferred" if r.deferred else "deferrable"
    return ForeignKey(
        r.name,
        tuple(r.columns),
        r.ref_table,
        tuple(r.ref_columns),
        _FK_ACTIONS.get(r.on_delete),
        _FK_ACTIONS.get(r.on_update),
        deferrable,
        bool(r.validated),
    )


def inspect(conn: Connection, version: str) -> Schema:
    tables: dict[str, dict] = {}
    for r in rows(conn, D, "tables"):
        tables[f"{r.schema_name}.{r.table_name}"] = {
            "columns": {},
            "primary_key": (),
            "indexes": {},
            "foreign_keys": {},
            "uniques": {},
            "checks": {},
            "checks_not_valid": [],
            "options": _table_options(r),
        }
    for r in rows(conn, D, "columns"):
        t = tables[f"{r.schema_name}.{r.table_name}"]
        generated = n.expression(r.column_default, D) if r.generated == "s" else None
        plain = not r.identity and not generated
        t["columns"][r.column_name] = Column(
            r.column_name,
            n.column_type(r.data_type, D),
            bool(r.nullable),
            n.expression(r.column_default, D) if plain else None,
            r.collation,
            _IDENTITY.get(r.identity or ""),
            generated,
        )
    constraint_index_names = set()
    for r in rows(conn, D, "constraints"):
        t = tables[f"{r.schema_name}.{r.table_name}"]
        if r.kind == "p":
            t["primary_key"] = tuple(r.columns)
            constraint_index_names.add((r.schema_name, r.table_name, r.name))
        elif r.kind == "u":
            t["uniques"][r.name] = tuple(r.columns)
            constraint_index_names.add((r.schema_name, r.table_name, r.name))
        elif r.kind == "f":
            t["foreign_keys"][r.name] = _fk(r)
        elif r.kind == "c":
            t["checks"][r.name] = n.expression(r.check_expr, D) or ""
            if not r.validated:
                t["checks_not_valid"].append(r.name)
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
        key_options = tuple(r.key_options or ())
        tables[f"{r.schema_name}.{r.table_name}"]["indexes"][r.index_name] = Index(
            name=r.index_name,
            columns=tuple(keys),
            unique=bool(r.is_unique),
            where=n.expression(r.predicate, D),
            include=tuple(n.expression(k, D) or k for k in r.keys[r.key_count :]),
            method=None if r.method == "btree" else r.method,
            valid=bool(r.is_valid),
            key_options=key_options if any(key_options) else (),
        )
    sequences = {
        r.name: Sequence(
            r.name,
            n.column_type(r.data_type, D),
            int(r.start_value),
            int(r.increment_by),
            int(r.min_value),
            int(r.max_value),
            bool(r.cycle),
            r.owned_by,
        )
        for r in rows(conn, D, "sequences")
    }
    modelled, other = objects(conn, D)
    return Schema(
        dialect=D,
        server_version=version,
        tables={
            name: Table(name, **{**t, "checks_not_valid": tuple(sorted(t["checks_not_valid"]))})
            for name, t in sorted(tables.items())
        },
        views=modelled["view"],
        sequences=sequences,
        extensions=modelled["extension"],
        materialized_views=modelled["materialized view"],
        not_compared=other,
    )
