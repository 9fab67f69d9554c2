"""Rules about locks and rewrites of tables that already hold data (the baseline's tables, or
``--large-table``): what blocks writes, what rewrites the table, what breaks running code.

They apply where the server offers the online alternative they recommend (``CONCURRENTLY``,
``NOT VALID``, ``USING INDEX``: :attr:`LintDialect.online_ddl`).
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from driftline.findings import Severity
from driftline.lint import fixes, rewrites
from driftline.lint.effects import dropped_indexes, ident, type_text
from driftline.lint.rules import Context, Hit, alter_actions, baseline_alter, rule


def _big_alter(tree: exp.Expression, ctx: Context) -> tuple[str, list[exp.Expression]]:
    if not ctx.dialect.online_ddl:
        return "", []
    table, actions = alter_actions(tree, ctx)
    if not table or not ctx.state.is_big(table):
        return "", []
    return table, actions


def _concurrently(tree: exp.Expression, ctx: Context) -> str:
    """The fix of a CREATE or DROP INDEX that locks: the same statement, CONCURRENTLY."""
    fixed = tree.copy()
    fixed.set("concurrently", True)
    return fixed.sql(dialect=ctx.dialect.glot) + ";  -- outside a transaction block"


@rule("index-not-concurrently")
def index_not_concurrently(tree: exp.Expression, ctx: Context) -> Iterator[Hit]:
    if not ctx.dialect.online_ddl or not isinstance(tree, exp.Create):
        return
    if (tree.args.get("kind") or "").upper() != "INDEX" or tree.args.get("concurrently"):
        return
    index = tree.this
    table = ident(ctx.state, index.args.get("table") if isinstance(index, exp.Index) else None)
    if not table or not ctx.state.is_big(table):
        return
    yield (
        Severity.WARNING,
        f"table {table}",
        f"CREATE INDEX on {table} without CONCURRENTLY blocks writes to it while it builds",
        _concurrently(tree, ctx),
    )


@rule("drop-index-concurrently", opt_in=True)
def drop_index_concurrently(tree: exp.Expression, ctx: Context) -> Iterator[Hit]:
    if not ctx.dialect.online_ddl or not isinstance(tree, exp.Drop):
        return
    if (tree.args.get("kind") or "").upper() != "INDEX" or tree.args.get("concurrently"):
        return
    for table, name in dropped_indexes(ctx.state, tree):
        if name in ctx.state.created_indexes or (table and not ctx.state.is_big(table)):
            continue
        if not table and not ctx.state.every_table_large:
            continue
        yield (
            Severity.WARNING,
            f"index {name}",
            f"DROP INDEX {name} without CONCURRENTLY blocks reads and writes of "
            f"{table or 'its table'} until every running query on it ends",
            _concurrently(tree, ctx),
        )


@rule("table-rewrite")
def table_rewrite(tree: exp.Expression, ctx: Context) -> Iterator[Hit]:
    table, actions = _big_alter(tree, ctx)
    spec = ctx.state.tables.get(table)
    for action in actions:
        if isinstance(action, exp.AlterColumn) and action.args.get("dtype") is not None:
            column = ident(ctx.state, action.this)
            new = type_text(action.args["dtype"])
            old = spec.columns[column].type if spec and column in spec.columns else None
            rewrites_ = rewrites.type_change_rewrites(old, new)
            if action.args.get("using"):
                rewrites_ = True
            if rewrites_ is False:
                continue
            why = (
                f"from {old} to {new} rewrites"
                if rewrites_
                else f"to {new} may rewrite (its current type is not in the baseline)"
            )
            yield (
                Severity.WARNING,
                f"column {table}.{column}",
                f"changing the type of {table}.{column} {why} the whole table under an "
                "ACCESS EXCLUSIVE lock",
                "add a new column, backfill in batches, then switch over",
            )
        elif isinstance(action, exp.AlterColumn) and action.args.get("allow_null") is False:
            column = ident(ctx.state, action.this)
            yield (
                Severity.WARNING,
                f"column {table}.{column}",
                f"SET NOT NULL on {table} scans the whole table under an ACCESS EXCLUSIVE lock",
                fixes.set_not_null(ctx.dialect, table, column),
            )
        elif isinstance(action, exp.ColumnDef):
            why = rewrites.add_column_rewrites(action, ctx.server_major)
            if why and "generated" not in why:
                yield (
                    Severity.WARNING,
                    f"column {table}.{ident(ctx.state, action.this)}",
                    f"ADD COLUMN rewrites {table} under an ACCESS EXCLUSIVE lock: {why}",
                    "add the column without a default, then backfill in batches",
                )


@rule("stored-generated-column")
def stored_generated_column(tree: exp.Expression, ctx: Context) -> Iterator[Hit]:
    table, actions = _big_alter(tree, ctx)
    for action in actions:
        if isinstance(action, exp.ColumnDef):
            why = rewrites.add_column_rewrites(action, ctx.server_major)
            if why and "generated" in why:
                yield (
                    Severity.WARNING,
                    f"column {table}.{ident(ctx.state, action.this)}",
                    f"adding a stored generated column rewrites {table} under an ACCESS "
                    "EXCLUSIVE lock",
                    "add a plain column, fill it in batches, and keep it current with a trigger",
                )


@rule("add-required-column")
def add_required_column(tree: exp.Expression, ctx: Context) -> Iterator[Hit]:
    if not ctx.dialect.not_null_needs_default:
        return
    table, actions = alter_actions(tree, ctx)
    if not table or not ctx.state.is_big(table):
        return
    for action in actions:
        if not isinstance(action, exp.ColumnDef):
            continue
        kinds = [c.args.get("kind") for c in action.args.get("constraints") or []]
        not_null = any(
            isinstance(k, exp.NotNullColumnConstraint) and not k.args.get("allow_null")
            for k in kinds
        )
        filled = any(
            isinstance(
                k,
                exp.DefaultColumnConstraint
                | exp.ComputedColumnConstraint
                | exp.GeneratedAsIdentityColumnConstraint,
            )
            for k in kinds
        )
        dtype = action.args.get("kind")
        serial = dtype is not None and "serial" in dtype.sql(dialect="postgres").lower()
        if not_null and not filled and not serial:
            column = ident(ctx.state, action.this)
            yield (
                Severity.ERROR,
                f"column {table}.{column}",
                f"ADD COLUMN {column} NOT NULL without a DEFAULT fails on {table} as soon "
                "as it has a row",
                "add it with a DEFAULT, or nullable, backfill, then SET NOT NULL",
            )


def _added_constraints(
    tree: exp.Expression, ctx: Context
) -> Iterator[tuple[str, exp.Expression, exp.Expression]]:
    """``(table, item, part)`` of each constraint an ALTER TABLE adds to a table holding data;
    ``item`` is the (possibly named) constraint, ``part`` one of its clauses."""
    table, actions = _big_alter(tree, ctx)
    for action in actions:
        if not isinstance(action, exp.AddConstraint):
            continue
        for item in action.expressions:
            parts = item.expressions if isinstance(item, exp.Constraint) else [item]
            for part in parts:
                yield table, item, part


@rule("constraint-not-valid")
def constraint_not_valid(tree: exp.Expression, ctx: Context) -> Iterator[Hit]:
    if tree.args.get("not_valid"):
        return
    for table, item, part in _added_constraints(tree, ctx):
        kind = (
            "foreign key"
            if isinstance(part, exp.ForeignKey)
            else "check"
            if isinstance(part, exp.CheckColumnConstraint)
            else None
        )
        if kind is None:
            continue
        name = ident(ctx.state, item.this) if isinstance(item, exp.Constraint) else ""
        statement = tree.copy()
        statement.set("not_valid", True)
        yield (
            Severity.WARNING,
            f"table {table}",
            f"adding a {kind} to {table} without NOT VALID checks every row while "
            "holding a lock that blocks writes",
            f"{statement.sql(dialect=ctx.dialect.glot)};\nALTER TABLE "
            f"{fixes.name(ctx.dialect, table)} VALIDATE CONSTRAINT "
            f"{fixes.name(ctx.dialect, name) if name else '<name>'};",
        )


@rule("unique-without-index")
def unique_without_index(tree: exp.Expression, ctx: Context) -> Iterator[Hit]:
    for table, _, part in _added_constraints(tree, ctx):
        if isinstance(part, exp.PrimaryKey | exp.UniqueColumnConstraint):
            what = "PRIMARY KEY" if isinstance(part, exp.PrimaryKey) else "UNIQUE"
            yield (
                Severity.WARNING,
                f"table {table}",
                f"ADD {what} on {table} builds its index under a lock that blocks reads and writes",
                f"CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT … {what} USING INDEX",
            )


@rule("rename-in-use")
def rename_in_use(tree: exp.Expression, ctx: Context) -> Iterator[Hit]:
    state = ctx.state
    table, actions = baseline_alter(tree, ctx)
    for action in actions:
        if isinstance(action, exp.AlterRename):
            what, obj = f"table {table}", f"table {table}"
        elif isinstance(action, exp.RenameColumn):
            column = ident(state, action.this)
            what, obj = f"column {table}.{column}", f"column {table}.{column}"
        else:
            continue
        yield (
            Severity.WARNING,
            obj,
            f"renames the {what} of the baseline: code still running with the old name "
            "fails until it is deployed",
            "add the new name beside the old one (a view or a new column), switch the code, "
            "then drop the old name",
        )


_DDL = (exp.Alter, exp.Drop, exp.Create, exp.TruncateTable)


@rule("lock-timeout", opt_in=True)
def lock_timeout(tree: exp.Expression, ctx: Context) -> Iterator[Hit]:
    state = ctx.state
    if not isinstance(tree, _DDL) or state.lock_timeout:
        return
    kind = (tree.args.get("kind") or "").upper()
    tables: list[str] = []
    if isinstance(tree, exp.Create) and kind == "TABLE":
        # a new table locks only the tables its foreign keys reference
        tables = [ident(state, r.find(exp.Table)) for r in tree.find_all(exp.Reference)]
    elif isinstance(tree, exp.Create) and kind == "INDEX" and isinstance(tree.this, exp.Index):
        tables = [ident(state, tree.this.args.get("table"))]
    elif isinstance(tree, exp.Drop) and kind == "INDEX":
        tables = [t or f"the table of {name}" for t, name in dropped_indexes(state, tree)]
    elif isinstance(tree, exp.Drop | exp.TruncateTable):
        tables = [ident(state, t) for t in tree.args.get("tables") or tree.expressions or []]
    elif isinstance(tree, exp.Alter) and kind == "TABLE":
        tables = [ident(state, tree.this)]
    big = [t for t in tables if t and (state.is_big(t) or t.startswith("the table of "))]
    if not big or (big[0].startswith("the table of ") and not state.every_table_large):
        return
    yield (
        Severity.WARNING,
        f"table {big[0]}",
        f"DDL on {big[0]} without a lock_timeout waits behind any long transaction and "
        "blocks every query queued behind it",
        "SET lock_timeout = '2s';  -- before the DDL, and retry on timeout",
    )
