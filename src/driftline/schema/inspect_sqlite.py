"""SQLite: five queries over ``sqlite_schema`` (joined to table-valued pragma functions)."""

from __future__ import annotations

from collections import defaultdict

import sqlglot
from sqlalchemy.engine import Connection
from sqlglot import exp
from sqlglot.errors import ParseError

from driftline.schema import normalize as n
from driftline.schema.catalog import objects, rows
from driftline.schema.model import Column, ForeignKey, Index, Schema, Table

D = "sqlite"


def _expressions_and_where(sql: str | None) -> tuple[list[str], str | None]:
    """Key expressions and WHERE of a CREATE INDEX statement (for expression/partial indexes)."""
    if not sql:
        return [], None
    try:
        tree = sqlglot.parse_one(sql, read="sqlite")
    except ParseError:
        return [], None
    index = tree.this if isinstance(tree, exp.Create) else None
    params = index.args.get("params") if isinstance(index, exp.Index) else None
    keys = [e.sql(dialect="sqlite") for e in (params.args.get("columns") or [])] if params else []
    where = params.args.get("where") if params else None
    return keys, where.this.sql(dialect="sqlite") if where is not None else None


def _checks(sql: str | None) -> dict[str, str]:
    """CHECK constraints of a CREATE TABLE statement: named ones by name, others by expression."""
    if not sql or "check" not in sql.lower():
        return {}
    try:
        tree = sqlglot.parse_one(sql, read="sqlite")
    except ParseError:
        return {}
    checks: dict[str, str] = {}
    for check in tree.find_all(exp.CheckColumnConstraint):
        expr = n.expression(check.this.sql(dialect="sqlite"), D) or ""
        owner = check.parent
        if isinstance(owner, exp.Constraint) and owner.name:
            checks[owner.name] = expr
        else:
            checks[f"check({expr})"] = expr
    return checks


def inspect(conn: Connection, version: str) -> Schema:
    tables: dict[str, dict] = defaultdict(
        lambda: {"columns": {}, "pk": [], "indexes": {}, "fks": {}, "uniques": {}}
    )
    for r in rows(conn, D, "columns"):
        t = tables[r.table_name]
        t["columns"][r.column_name] = Column(
            r.column_name,
            n.column_type(r.data_type or "blob", D),
            bool(r.nullable) and not r.pk_position,
            n.expression(r.column_default, D),
        )
        if r.pk_position:
            t["pk"].append((r.pk_position, r.column_name))
    keys: dict[tuple[str, str], list] = defaultdict(list)
    meta: dict[tuple[str, str], tuple] = {}
    for r in rows(conn, D, "indexes"):
        keys[(r.table_name, r.index_name)].append(r)
        meta[(r.table_name, r.index_name)] = (r.is_unique, r.origin, r.partial, r.index_sql)
    for (table, name), parts in keys.items():
        unique, origin, partial, sql = meta[(table, name)]
        if origin == "pk":
            continue
        columns = [p.column_name for p in parts]
        if origin == "u":
            tables[table]["uniques"][f"unique({', '.join(columns)})"] = tuple(columns)
            continue
        exprs, where = _expressions_and_where(sql) if (None in columns or partial) else ([], None)
        key_list = []
        for i, p in enumerate(parts):
            raw = (
                p.column_name
                if p.column_name is not None
                else (exprs[i] if i < len(exprs) else "?")
            )
            key_list.append(n.key(raw, D, bool(p.descending)))
        tables[table]["indexes"][name] = Index(
            name, tuple(key_list), bool(unique), n.expression(where, D) if where else None
        )
    fk_parts: dict[tuple[str, int], list] = defaultdict(list)
    for r in rows(conn, D, "foreign_keys"):
        fk_parts[(r.table_name, r.fk_id)].append(r)
    for (table, _fk_id), parts in sorted(fk_parts.items()):
        cols = tuple(p.column_name for p in parts)
        name = f"fk({', '.join(cols)})"
        tables[table]["fks"][name] = ForeignKey(
            name, cols, parts[0].ref_table, tuple(p.ref_column or "" for p in parts)
        )
    checks = {r.table_name: _checks(r.table_sql) for r in rows(conn, D, "tables")}
    modelled, other = objects(conn, D)
    return Schema(
        dialect=D,
        server_version=version,
        tables={
            name: Table(
                name,
                t["columns"],
                tuple(c for _, c in sorted(t["pk"])),
                t["indexes"],
                t["fks"],
                t["uniques"],
                checks.get(name, {}),
            )
            for name, t in sorted(tables.items())
        },
        views=modelled["view"],
        not_compared=other,
    )
