"""Applying one parsed statement to the :class:`~driftline.lint.state.State`.

Only what later statements are judged on is modelled: tables (created, renamed, dropped), their
columns (added, renamed, retyped, nullability), indexes (created, renamed, dropped, with the
definition a re-created critical index is compared by) and constraints.
"""

from __future__ import annotations

import dataclasses
import re

from sqlglot import exp

from driftline.lint.state import State, key_column
from driftline.schema.model import Column, ForeignKey, Index, Table

_SPACE = re.compile(r'[\s"`()]+')


def canon(text: str | None) -> str | None:
    """A spelling-insensitive form of an index key or predicate, for comparing definitions."""
    return None if text is None else _SPACE.sub("", text.lower())


def ident(state: State, node: exp.Expression | None) -> str:
    """The state key an identifier, column or table node refers to."""
    if node is None:
        return ""
    if isinstance(node, exp.Table | exp.Column):
        node = node.args.get("this")
    if isinstance(node, exp.Identifier):
        return state.dialect.fold(node.this, bool(node.args.get("quoted")))
    if isinstance(node, exp.Expression):
        return state.dialect.fold(node.name, False)
    return state.dialect.fold(str(node), False)


def table_of(state: State, node: exp.Expression | None) -> str:
    if node is not None and not isinstance(node, exp.Table):
        node = node.find(exp.Table)
    return ident(state, node)


def index_of(state: State, create: exp.Create) -> tuple[str, Index] | None:
    """``(table key, index)`` that a CREATE INDEX statement builds."""
    index = create.this
    if not isinstance(index, exp.Index):
        return None
    table = table_of(state, index.args.get("table"))
    params = index.args.get("params")
    keys: list[str] = []
    for item in (params.args.get("columns") if params else None) or []:
        node = item.this if isinstance(item, exp.Ordered) else item
        if isinstance(node, exp.Column) and not node.table:
            text = ident(state, node)
        else:
            text = node.sql(dialect="postgres").lower()
        if isinstance(item, exp.Ordered) and item.args.get("desc"):
            text += " desc"
        keys.append(text)
    where = params.args.get("where") if params else None
    include = params.args.get("include") if params else None
    using = params.args.get("using") if params else None
    method = using.name.lower() if using is not None else None
    name = ident(state, index.this) if index.this else f"{table}_{'_'.join(keys)}_idx"
    return table, Index(
        name,
        tuple(keys),
        bool(create.args.get("unique")),
        where.this.sql(dialect="postgres") if where is not None else None,
        tuple(ident(state, c) for c in include or []),
        None if method == "btree" else method,
    )


def type_text(dtype: exp.DataType) -> str:
    """``varchar(16)``: a column type in lower case, without running sqlglot's generator for the
    plain cases (most of them)."""
    base = dtype.this
    params = dtype.expressions
    simple = all(
        isinstance(p, exp.DataTypeParam) and isinstance(p.this, exp.Literal) for p in params
    )
    if base in _PLAIN_TYPES and simple:
        args = ",".join(str(p.this.this) for p in params)
        return _PLAIN_TYPES[base] + (f"({args})" if args else "")
    return dtype.sql(dialect="postgres").lower()


_PLAIN_TYPES = {
    exp.DataType.Type.VARCHAR: "varchar",
    exp.DataType.Type.CHAR: "char",
    exp.DataType.Type.TEXT: "text",
    exp.DataType.Type.INT: "int",
    exp.DataType.Type.BIGINT: "bigint",
    exp.DataType.Type.SMALLINT: "smallint",
    exp.DataType.Type.BOOLEAN: "boolean",
    exp.DataType.Type.DECIMAL: "numeric",
    exp.DataType.Type.TIMESTAMP: "timestamp",
    exp.DataType.Type.TIMESTAMPTZ: "timestamptz",
    exp.DataType.Type.UUID: "uuid",
    exp.DataType.Type.JSONB: "jsonb",
    exp.DataType.Type.JSON: "json",
    exp.DataType.Type.DATE: "date",
    exp.DataType.Type.DOUBLE: "double",
}


def same_definition(a: Index, b: Index) -> bool:
    return (
        [canon(k) for k in a.columns] == [canon(k) for k in b.columns]
        and a.unique == b.unique
        and canon(a.where) == canon(b.where)
        and a.method == b.method
    )


def _column(state: State, node: exp.ColumnDef) -> Column:
    nullable, default = True, None
    for constraint in node.args.get("constraints") or []:
        kind = constraint.args.get("kind")
        not_null = isinstance(kind, exp.NotNullColumnConstraint) and not kind.args.get("allow_null")
        if not_null or isinstance(kind, exp.PrimaryKeyColumnConstraint):
            nullable = False
        elif isinstance(kind, exp.DefaultColumnConstraint):
            default = kind.this.sql(dialect="postgres") if kind.this is not None else None
    dtype = node.args.get("kind")
    return Column(
        ident(state, node.this),
        type_text(dtype) if dtype else "",
        nullable,
        default,
    )


def _create_table(state: State, tree: exp.Create) -> None:
    target = tree.this
    table = table_of(state, target)
    if not table or (tree.args.get("exists") and table in state.tables):
        return
    columns: dict[str, Column] = {}
    pk: tuple[str, ...] = ()
    fks: dict[str, ForeignKey] = {}
    if isinstance(target, exp.Schema):
        for item in target.expressions:
            if isinstance(item, exp.ColumnDef):
                col = _column(state, item)
                columns[col.name] = col
                if any(
                    isinstance(c.args.get("kind"), exp.PrimaryKeyColumnConstraint)
                    for c in item.args.get("constraints") or []
                ):
                    pk = (col.name,)
            elif isinstance(item, exp.PrimaryKey):
                pk = tuple(ident(state, c) for c in item.expressions)
            elif isinstance(item, exp.Constraint | exp.ForeignKey):
                for fk in [item] if isinstance(item, exp.ForeignKey) else item.expressions:
                    if isinstance(fk, exp.ForeignKey):
                        cols = tuple(ident(state, c) for c in fk.expressions)
                        fks[ident(state, item.this) or "_".join(cols)] = ForeignKey(
                            ident(state, item.this) or "_".join(cols), cols, "", ()
                        )
    state.drop_table(table)
    state.put_table(Table(table, columns, pk, {}, fks), created=True)


def _drop_constraint(state: State, table: str, name: str) -> None:
    spec = state.tables.get(table)
    if spec is None:
        return
    changes: dict[str, object] = {
        "foreign_keys": {k: v for k, v in spec.foreign_keys.items() if k != name},
        "uniques": {k: v for k, v in spec.uniques.items() if k != name},
        "checks": {k: v for k, v in spec.checks.items() if k != name},
    }
    if is_primary_key_name(state, table, name):
        changes["primary_key"] = ()
    state.replace_table(table, **changes)
    if name in spec.indexes:
        state.drop_index(table, name)


def is_primary_key_name(state: State, table: str, name: str) -> bool:
    """Whether the constraint ``name`` of ``table`` is its primary key (as the server names it:
    ``<table>_pkey`` on PostgreSQL, ``PRIMARY`` on MySQL)."""
    return name in (f"{table}_pkey", "primary")


def _add_constraint(state: State, table: str, action: exp.AddConstraint) -> None:
    spec = state.tables.get(table)
    if spec is None:
        return
    for item in action.expressions:
        name = ident(state, item.this) if isinstance(item, exp.Constraint) else ""
        parts = item.expressions if isinstance(item, exp.Constraint) else [item]
        for part in parts:
            if isinstance(part, exp.PrimaryKey):
                state.replace_table(
                    table, primary_key=tuple(ident(state, c) for c in part.expressions)
                )
            elif isinstance(part, exp.ForeignKey):
                cols = tuple(ident(state, c) for c in part.expressions)
                fk = ForeignKey(name or f"{table}_{'_'.join(cols)}_fkey", cols, "", ())
                state.replace_table(table, foreign_keys={**spec.foreign_keys, fk.name: fk})
            elif isinstance(part, exp.IndexColumnConstraint | exp.UniqueColumnConstraint):
                schema = part.this if isinstance(part.this, exp.Schema) else None
                listed = schema.expressions if schema else part.expressions
                cols = [ident(state, c) for c in listed]
                iname = name or (ident(state, schema.this) if schema and schema.this else "")
                iname = iname or (ident(state, part.this) if not schema and part.this else "")
                iname = iname or f"{table}_{'_'.join(cols)}_key"
                unique = isinstance(part, exp.UniqueColumnConstraint)
                state.put_index(table, Index(iname, tuple(cols), unique))
            spec = state.tables[table]


def _alter_table(state: State, tree: exp.Alter) -> None:
    table = table_of(state, tree.this)
    for action in tree.args.get("actions") or []:
        spec = state.tables.get(table)
        if isinstance(action, exp.AlterRename):
            new = table_of(state, action.this)
            state.rename_table(table, new)
            table = new
        elif spec is None:
            continue
        elif isinstance(action, exp.RenameColumn):
            old, new = ident(state, action.this), ident(state, action.args.get("to"))
            columns = {
                (new if k == old else k): dataclasses.replace(c, name=new) if k == old else c
                for k, c in spec.columns.items()
            }
            pk = tuple(new if c == old else c for c in spec.primary_key)
            state.replace_table(table, columns=columns, primary_key=pk)
        elif isinstance(action, exp.ColumnDef):
            col = _column(state, action)
            state.replace_table(table, columns={**spec.columns, col.name: col})
        elif isinstance(action, exp.ModifyColumn):
            col = _column(state, action.this)
            old = ident(state, action.args.get("rename_from")) or col.name
            columns = {k: c for k, c in spec.columns.items() if k != old}
            state.replace_table(table, columns={**columns, col.name: col})
        elif isinstance(action, exp.AlterColumn):
            _alter_column(state, table, action)
        elif isinstance(action, exp.DropPrimaryKey):
            state.replace_table(table, primary_key=())
        elif isinstance(action, exp.Drop):
            kind = (action.args.get("kind") or "").upper()
            for target in action.args.get("tables") or []:
                name = ident(state, target)
                if kind == "COLUMN":
                    _drop_column(state, table, name)
                elif kind in ("INDEX", "KEY"):
                    state.drop_index(table, name)
                elif kind in ("CONSTRAINT", "FOREIGN KEY", "CHECK"):
                    _drop_constraint(state, table, name)
        elif isinstance(action, exp.AddConstraint):
            _add_constraint(state, table, action)
        elif isinstance(action, exp.RenameIndex):
            _rename_index(state, ident(state, action.this), ident(state, action.args.get("to")))


def _alter_column(state: State, table: str, action: exp.AlterColumn) -> None:
    spec = state.tables[table]
    name = ident(state, action.this)
    col = spec.columns.get(name, Column(name, ""))
    dtype = action.args.get("dtype")
    if dtype is not None:
        col = dataclasses.replace(col, type=type_text(dtype))
    if action.args.get("allow_null") is False:
        col = dataclasses.replace(col, nullable=False)
    elif action.args.get("allow_null") is True:
        col = dataclasses.replace(col, nullable=True)
    state.replace_table(table, columns={**spec.columns, name: col})


def _drop_column(state: State, table: str, column: str) -> None:
    spec = state.tables[table]
    for name, ix in list(spec.indexes.items()):
        if column in {key_column(k) for k in ix.columns}:
            state.drop_index(table, name)
    spec = state.tables[table]
    state.replace_table(table, columns={k: c for k, c in spec.columns.items() if k != column})


def _rename_index(state: State, old: str, new: str) -> None:
    found = state.index(old)
    if found is None:
        return
    table, index = found
    created = old in state.created_indexes
    state.drop_index(table, old)
    state.put_index(table, dataclasses.replace(index, name=new), created=created)


def dropped_indexes(state: State, tree: exp.Expression) -> list[tuple[str, str]]:
    """``(table key, index key)`` of every index the statement drops (the table may be "")."""
    found: list[tuple[str, str]] = []
    if isinstance(tree, exp.Drop) and (tree.args.get("kind") or "").upper() == "INDEX":
        on = tree.args.get("cluster")
        table = table_of(state, on.this) if isinstance(on, exp.OnProperty) else None
        for target in tree.args.get("tables") or []:
            name = ident(state, target)
            owner = state.index(name, table)
            found.append((owner[0] if owner else table or "", name))
    elif isinstance(tree, exp.Alter) and (tree.args.get("kind") or "").upper() == "TABLE":
        table = table_of(state, tree.this)
        for action in tree.args.get("actions") or []:
            if isinstance(action, exp.Drop) and (action.args.get("kind") or "").upper() in (
                "INDEX",
                "KEY",
            ):
                found += [(table, ident(state, t)) for t in action.args.get("tables") or []]
    return found


def apply(state: State, tree: exp.Expression) -> None:
    """Change ``state`` the way the server would by running ``tree``."""
    if isinstance(tree, exp.Create):
        kind = (tree.args.get("kind") or "").upper()
        if kind == "TABLE":
            _create_table(state, tree)
        elif kind == "INDEX":
            built = index_of(state, tree)
            if built is not None and not (tree.args.get("exists") and state.index(built[1].name)):
                state.put_index(*built)
    elif isinstance(tree, exp.Drop):
        kind = (tree.args.get("kind") or "").upper()
        if kind == "TABLE":
            for target in tree.args.get("tables") or []:
                state.drop_table(ident(state, target))
        elif kind == "INDEX":
            for table, name in dropped_indexes(state, tree):
                state.drop_index(table, name)
    elif isinstance(tree, exp.Alter):
        kind = (tree.args.get("kind") or "").upper()
        if kind == "TABLE":
            _alter_table(state, tree)
        elif kind == "INDEX":
            for action in tree.args.get("actions") or []:
                if isinstance(action, exp.AlterRename):
                    _rename_index(state, ident(state, tree.this), table_of(state, action.this))
    elif isinstance(tree, exp.Set):
        for item in tree.expressions:
            if "lock_timeout" in item.sql().lower():
                state.lock_timeout = True
