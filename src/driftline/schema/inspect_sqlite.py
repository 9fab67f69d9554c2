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


class _TableText:
    """What SQLite keeps only in the CREATE TABLE text: CHECKs (named ones by name, others by
    expression), column collations, generated expressions and FK deferrability."""

    def __init__(self, sql: str | None) -> None:
        self.checks: dict[str, str] = {}
        self.collations: dict[str, str] = {}
        self.generated: dict[str, str] = {}
        self.deferrable: dict[tuple[str, ...], str] = {}
        try:
            tree = sqlglot.parse_one(sql, read="sqlite") if sql else None
        except ParseError:
            tree = None
        if tree is None:
            return
        for check in tree.find_all(exp.CheckColumnConstraint):
            expr = n.expression(check.this.sql(dialect="sqlite"), D) or ""
            owner = check.parent
            if isinstance(owner, exp.Constraint) and owner.name:
                self.checks[owner.name] = expr
            else:
                self.checks[f"check({expr})"] = expr
        for coldef in tree.find_all(exp.ColumnDef):
            for c in coldef.args.get("constraints") or []:
                kind = c.args.get("kind")
                if isinstance(kind, exp.CollateColumnConstraint):
                    self.collations[coldef.name] = kind.this.name.lower()
                elif isinstance(kind, exp.ComputedColumnConstraint):
                    how = "stored" if kind.args.get("persisted") else "virtual"
                    body = n.expression(kind.this.sql(dialect="sqlite"), D)
                    self.generated[coldef.name] = f"{body} {how}"
        for fk in tree.find_all(exp.ForeignKey):
            ref = fk.args.get("reference")
            options = [str(o).lower() for o in (ref.args.get("options") or [])] if ref else []
            if "deferrable" in options:
                deferred = "initially deferred" in options
                cols = tuple(e.name for e in fk.expressions)
                self.deferrable[cols] = (
                    "deferrable initially deferred" if deferred else "deferrable"
                )


def _fk_action(rule: str | None) -> str | None:
    return None if rule in (None, "NO ACTION") else str(rule).lower()


def inspect(conn: Connection, version: str) -> Schema:
    tables: dict[str, dict] = defaultdict(
        lambda: {"columns": {}, "pk": [], "indexes": {}, "fks": {}, "uniques": {}}
    )
    texts, options = {}, {}
    for r in rows(conn, D, "tables"):
        texts[r.table_name] = _TableText(r.table_sql)
        flags = {
            "strict": "true" if r.strict else None,
            "without_rowid": "true" if r.without_rowid else None,
        }
        options[r.table_name] = {k: v for k, v in flags.items() if v}
    for r in rows(conn, D, "columns"):
        t = tables[r.table_name]
        text = texts[r.table_name]
        generated = text.generated.get(r.column_name) if r.hidden else None
        t["columns"][r.column_name] = Column(
            r.column_name,
            n.column_type(r.data_type or "blob", D),
            bool(r.nullable) and not r.pk_position,
            n.expression(r.column_default, D),
            text.collations.get(r.column_name),
            None,
            generated or ({2: "virtual", 3: "stored"}.get(r.hidden) if r.hidden else None),
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
            name,
            cols,
            parts[0].ref_table,
            tuple(p.ref_column or "" for p in parts),
            _fk_action(parts[0].on_delete),
            _fk_action(parts[0].on_update),
            texts[table].deferrable.get(cols),
        )
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
                texts[name].checks,
                options=options[name],
            )
            for name, t in sorted(tables.items())
        },
        views=modelled["view"],
        not_compared=other,
    )
