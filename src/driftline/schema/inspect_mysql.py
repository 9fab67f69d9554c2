"""MySQL/MariaDB: five information_schema queries for the current database."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.engine import Connection

from driftline.schema import normalize as n
from driftline.schema.catalog import objects, rows
from driftline.schema.model import Column, ForeignKey, Index, Schema, Table

D = "mysql"
#: InnoDB checks RESTRICT and NO ACTION identically, immediately: both are the default
_FK_DEFAULT = {None, "RESTRICT", "NO ACTION"}


def _default(raw: str | None) -> str | None:
    if raw is None or raw.upper() == "NULL":
        return None
    return n.expression(raw, D)


def _fk_action(rule: str | None) -> str | None:
    return None if rule in _FK_DEFAULT else str(rule).lower()


def _options(r) -> dict[str, str]:
    options = {"engine": (r.engine or "").lower() or None, "collation": r.collation}
    if r.partition_method:
        options["partition_by"] = f"{r.partition_method} ({r.partition_expression or ''})"
    return {k: v for k, v in options.items() if v}


def _column(r) -> Column:
    extra = (r.extra or "").lower()
    generated = None
    if "generated" in extra and r.generation_expression:
        kind = "stored" if "stored" in extra or "persistent" in extra else "virtual"
        generated = f"{n.expression(r.generation_expression, D)} {kind}"
    return Column(
        r.column_name,
        n.column_type(r.data_type, D),
        bool(r.nullable),
        None if generated else _default(r.column_default),
        r.collation,
        "auto_increment" if "auto_increment" in extra else None,
        generated,
    )


def inspect(conn: Connection, version: str) -> Schema:
    tables: dict[str, dict] = {
        r.table_name: {
            "columns": {},
            "pk": [],
            "indexes": {},
            "fks": {},
            "checks": {},
            "options": _options(r),
        }
        for r in rows(conn, D, "tables")
    }
    for r in rows(conn, D, "columns"):
        tables[r.table_name]["columns"][r.column_name] = _column(r)
    fk_cols: dict[tuple[str, str], list] = defaultdict(list)
    for r in rows(conn, D, "constraints"):
        t = tables[r.table_name]
        if r.kind == "PRIMARY KEY":
            t["pk"].append(r.column_name)
        elif r.kind == "FOREIGN KEY":
            fk_cols[(r.table_name, r.name)].append(r)
        elif r.kind == "CHECK":
            t["checks"][r.name] = n.expression(r.check_expr, D) or ""
    for (table, name), parts in fk_cols.items():
        tables[table]["fks"][name] = ForeignKey(
            name,
            tuple(p.column_name for p in parts),
            parts[0].ref_table,
            tuple(p.ref_column for p in parts),
            _fk_action(parts[0].on_delete),
            _fk_action(parts[0].on_update),
        )
    index_parts: dict[tuple[str, str], list] = defaultdict(list)
    for r in rows(conn, D, "indexes"):
        if r.index_name != "PRIMARY":
            index_parts[(r.table_name, r.index_name)].append(r)
    for (table, name), parts in index_parts.items():
        keys = []
        for p in parts:
            raw = p.column_name if p.sub_part is None else f"{p.column_name}({p.sub_part})"
            keys.append(n.key(raw, D, bool(p.descending)))
        method = (parts[0].method or "BTREE").lower()
        tables[table]["indexes"][name] = Index(
            name,
            tuple(keys),
            bool(parts[0].is_unique),
            None,
            (),
            None if method == "btree" else method,
        )
    modelled, other = objects(conn, D)
    return Schema(
        dialect=D,
        server_version=version,
        tables={
            name: Table(
                name,
                t["columns"],
                tuple(t["pk"]),
                t["indexes"],
                t["fks"],
                {},
                t["checks"],
                options=t["options"],
            )
            for name, t in sorted(tables.items())
        },
        views=modelled["view"],
        not_compared=other,
    )
