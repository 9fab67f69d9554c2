"""A schema from DDL files (schema as code), parsed with sqlglot: no database needed."""

from __future__ import annotations

from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from driftline.db import canonical_dialect, sqlglot_dialect
from driftline.errors import InputFileError
from driftline.schema import normalize as n
from driftline.schema.model import Column, ForeignKey, Index, Schema, Table


def _name(node: exp.Expression, dialect: str, default_schema: str | None) -> str:
    table = node if isinstance(node, exp.Table) else node.find(exp.Table)
    schema = table.db or default_schema
    return f"{schema}.{table.name}" if schema else table.name


def schema_from_sql(path: str | Path, dialect: str) -> Schema:
    d = canonical_dialect(dialect)
    read = sqlglot_dialect(d)
    default_schema = "public" if d == "postgresql" else None
    try:
        statements = sqlglot.parse(Path(path).read_text(encoding="utf-8"), read=read)
    except FileNotFoundError:
        raise InputFileError(path, "no such file") from None
    except (ParseError, TokenError) as exc:
        errors = getattr(exc, "errors", None) or [{}]
        raise InputFileError(
            path, f"cannot parse DDL: {str(exc).splitlines()[0]}", errors[0].get("line")
        ) from None
    tables: dict[str, dict] = {}
    for st in statements:
        if not isinstance(st, exp.Create):
            continue
        kind = (st.args.get("kind") or "").upper()
        if kind == "TABLE" and isinstance(st.this, exp.Schema):
            name = _name(st.this.this, d, default_schema)
            t = tables.setdefault(
                name,
                {"columns": {}, "pk": (), "indexes": {}, "fks": {}, "uniques": {}, "checks": {}},
            )
            for item in st.this.expressions:
                if isinstance(item, exp.ColumnDef):
                    kinds = [c.args.get("kind") for c in item.args.get("constraints") or []]
                    not_null = any(
                        isinstance(k, exp.NotNullColumnConstraint) and not k.args.get("allow_null")
                        for k in kinds
                    )
                    pk = any(isinstance(k, exp.PrimaryKeyColumnConstraint) for k in kinds)
                    default = next(
                        (
                            k.this.sql(dialect=read)
                            for k in kinds
                            if isinstance(k, exp.DefaultColumnConstraint)
                        ),
                        None,
                    )
                    ctype = item.args["kind"].sql(dialect=read) if item.args.get("kind") else "text"
                    t["columns"][item.name] = Column(
                        item.name,
                        n.column_type(ctype, d),
                        not (not_null or pk),
                        n.expression(default, d),
                    )
                    if pk:
                        t["pk"] = (item.name,)
                elif isinstance(item, exp.PrimaryKey):
                    t["pk"] = tuple(e.name for e in item.expressions)
                elif isinstance(item, exp.Constraint):
                    for inner in item.expressions:
                        if isinstance(inner, exp.ForeignKey):
                            ref = inner.args.get("reference")
                            target = ref.this if ref is not None else None
                            ref_cols = (
                                tuple(e.name for e in target.expressions)
                                if isinstance(target, exp.Schema)
                                else ()
                            )
                            ref_name = _name(
                                target.this if isinstance(target, exp.Schema) else target,
                                d,
                                default_schema,
                            )
                            t["fks"][item.name] = ForeignKey(
                                item.name,
                                tuple(e.name for e in inner.expressions),
                                ref_name,
                                ref_cols,
                            )
                        elif isinstance(inner, exp.UniqueColumnConstraint):
                            cols = (
                                inner.this.expressions if isinstance(inner.this, exp.Schema) else []
                            )
                            t["uniques"][item.name] = tuple(c.name for c in cols)
                        elif isinstance(inner, exp.CheckColumnConstraint):
                            t["checks"][item.name] = (
                                n.expression(inner.this.sql(dialect=read), d) or ""
                            )
        elif kind == "INDEX" and isinstance(st.this, exp.Index):
            index = st.this
            table = _name(index.args["table"], d, default_schema)
            params = index.args.get("params")
            cols = params.args.get("columns") if params else []
            keys = []
            for c in cols or []:
                desc = isinstance(c, exp.Ordered) and bool(c.args.get("desc"))
                inner = c.this if isinstance(c, exp.Ordered) else c
                keys.append(n.key(inner.sql(dialect=read), d, desc))
            where = params.args.get("where") if params else None
            include = params.args.get("include") if params else None
            using = params.args.get("using") if params else None
            t = tables.setdefault(
                table,
                {"columns": {}, "pk": (), "indexes": {}, "fks": {}, "uniques": {}, "checks": {}},
            )
            method = using.name.lower() if using is not None else None
            t["indexes"][index.name] = Index(
                index.name,
                tuple(keys),
                bool(st.args.get("unique")),
                n.expression(where.this.sql(dialect=read), d) if where is not None else None,
                tuple(c.name for c in include or []),
                None if method in (None, "btree") else method,
            )
    return Schema(
        dialect=d,
        tables={
            k: Table(k, v["columns"], v["pk"], v["indexes"], v["fks"], v["uniques"], v["checks"])
            for k, v in sorted(tables.items())
        },
    )
