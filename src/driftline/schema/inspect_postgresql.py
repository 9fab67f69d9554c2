"""PostgreSQL: six catalog queries for the whole database, whatever its size."""

from __future__ import annotations

import re
from typing import Any

from driftline.schema import normalize as n
from driftline.schema.catalog import objects, rows
from driftline.schema.model import Column, ForeignKey, Index, Schema, Sequence, Table, column

D = "postgresql"
_INDOPTION_DESC, _INDOPTION_NULLS_FIRST = 1, 2
_FK_ACTIONS = {"a": None, "r": "restrict", "c": "cascade", "n": "set null", "d": "set default"}
_IDENTITY = {"a": "always", "d": "by default"}
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*\Z")


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


def _column(
    name: str,
    data_type: str,
    nullable: bool,
    default: str | None,
    collation: str | None,
    identity: str | None,
    generated: str | None,
) -> Column:
    stored = n.expression(default, D) if generated == "s" else None
    plain = not identity and not stored
    return column(
        name,
        n.column_type(data_type, D),
        bool(nullable),
        n.expression(default, D) if plain else None,
        collation,
        _IDENTITY.get(identity or ""),
        stored,
    )


def _quoted(name: str) -> str:
    """A column name as an index definition writes it. Names :func:`normalize.expression`
    reads as plain identifiers come out the same quoted or not; any other is one that
    ``quote_ident`` quotes."""
    return name if _PLAIN_NAME.match(name) else '"' + name.replace('"', '""') + '"'


def _indexes(
    conn: Any,
    tables: dict[str, dict],
    attributes: dict[tuple[str, int], tuple[str, int]],
    skip: set[tuple[str, str, str]],
) -> None:
    """Add every index that is not a primary key or unique constraint to ``tables``."""
    opclasses = {r.oid: r.name for r in rows(conn, D, "operator_classes")}
    collations = {r.oid: r.name for r in rows(conn, D, "collations")}
    found: dict[str, list[tuple[str, Index]]] = {}
    #: everything an index is built from but its name → its other fields: big schemas repeat
    #: the same index on many tables
    made: dict[tuple, tuple] = {}
    none = ("", 0)
    for r in rows(conn, D, "indexes"):
        if r.is_primary or (r.schema_name, r.table_name, r.index_name) in skip:
            continue
        table = f"{r.schema_name}.{r.table_name}"
        spec = (
            tuple(attributes.get((table, a), none) if a else a for a in r.attnums),
            r.key_count,
            tuple(r.options or ()),
            tuple(r.collations),
            tuple(r.opclasses),
            tuple(r.expressions or ()),
            r.predicate,
            r.is_unique,
            r.method,
            r.is_valid,
        )
        fields = made.get(spec)
        if fields is None:
            fields = made[spec] = _index_fields(*spec, opclasses, collations)
        found.setdefault(table, []).append((r.index_name, Index(r.index_name, *fields)))
    for table, indexes in found.items():
        tables[table]["indexes"] = dict(sorted(indexes))


def _index_fields(
    columns: tuple,
    key_count: int,
    options: tuple[int, ...],
    key_collations: tuple[int, ...],
    key_opclasses: tuple[int, ...],
    expression_keys: tuple[str, ...],
    predicate: str | None,
    unique: bool,
    method: str,
    valid: bool,
    opclasses: dict[int, str],
    collations: dict[int, str],
) -> tuple:
    """An index's fields after its name, from its keys (``columns``: name and collation of each
    column key, 0 for an expression key) and the rest of its catalog row."""
    expressions = iter(expression_keys)
    keys, include, key_options = [], [], []
    for i, attribute in enumerate(columns):
        if attribute:
            column, column_collation = attribute
            raw = _quoted(column)
        else:
            column_collation, raw = 0, next(expressions)
        if i >= key_count:
            include.append(n.expression(raw, D) or raw)
            continue
        opt = options[i] if i < len(options) else 0
        desc = bool(opt & _INDOPTION_DESC)
        nulls_first = bool(opt & _INDOPTION_NULLS_FIRST)
        keys.append(n.key(raw, D, desc, nulls_first if desc != nulls_first else None))
        collation = key_collations[i]
        parts = []
        if attribute and collation and collation != column_collation:
            parts.append("collate " + collations.get(collation, str(collation)))
        if key_opclasses[i] in opclasses:
            parts.append(opclasses[key_opclasses[i]])
        key_options.append(" ".join(parts))
    return (
        tuple(keys),
        bool(unique),
        n.expression(predicate, D),
        tuple(include),
        None if method == "btree" else method,
        bool(valid),
        tuple(key_options) if any(key_options) else (),
    )


def inspect(conn: Any, version: str) -> Schema:
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
    attributes: dict[tuple[str, int], tuple[str, int]] = {}  # (table, attnum) → name, collation
    made: dict[tuple, Column] = {}  # catalog fields → column: big schemas repeat columns
    table, key, columns = None, "", {}
    for r in rows(conn, D, "columns"):
        if (r.schema_name, r.table_name) != table:  # rows come table by table
            table = (r.schema_name, r.table_name)
            key = f"{r.schema_name}.{r.table_name}"
            columns = tables[key]["columns"]
        attributes[key, r.position] = (r.column_name, r.collation_oid)
        spec = (r.column_name, r.data_type, r.nullable, r.column_default, r.collation,
                r.identity, r.generated)  # fmt: skip
        built = made.get(spec)
        if built is None:
            built = made[spec] = _column(*spec)
        columns[r.column_name] = built
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
    _indexes(conn, tables, attributes, constraint_index_names)
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
