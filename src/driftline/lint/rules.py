"""The lint rules: one function each, registered in :data:`RULES` by name.

A rule gets one parsed statement and the :class:`Context` (the schema as it stands just before
that statement) and yields hits ``(severity, object, message, fix)``. Rules stay quiet about
objects the file created itself, and rules that need a baseline stay quiet without one.
Locking and rewrite rules are in :mod:`driftline.lint.rules_locks`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from sqlglot import exp

from driftline.findings import Severity
from driftline.lint import fixes
from driftline.lint.effects import (
    dropped_indexes,
    ident,
    index_of,
    is_primary_key_name,
    same_definition,
    table_of,
)
from driftline.lint.state import State

Hit = tuple[Severity, str, str, str | None]


@dataclass
class Context:
    state: State
    #: opt-in rules that are on
    enabled: set[str] = field(default_factory=set)
    server_major: int = 15

    @property
    def dialect(self):  # type: ignore[no-untyped-def]
        return self.state.dialect


Rule = Callable[[exp.Expression, Context], Iterable[Hit]]
RULES: dict[str, Rule] = {}
#: rules that run only when asked for (``--rule NAME``)
OPT_IN: set[str] = set()


def rule(name: str, *, opt_in: bool = False) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        RULES[name] = fn
        if opt_in:
            OPT_IN.add(name)
        return fn

    return register


def _always_true(condition: exp.Expression, ctx: Context, table: str) -> str | None:
    """Why ``condition`` holds for every row, or None."""
    if isinstance(condition, exp.Or):
        return _always_true(condition.left, ctx, table) or _always_true(condition.right, ctx, table)
    if isinstance(condition, exp.Paren):
        return _always_true(condition.this, ctx, table)
    if isinstance(condition, exp.EQ) and condition.left.sql() == condition.right.sql():
        return f"{condition.sql()} holds wherever it is not NULL"
    inner = condition.this if isinstance(condition, exp.Not) else None
    while isinstance(inner, exp.Paren):
        inner = inner.this
    if isinstance(inner, exp.Is) and not inner.args.get("negate"):
        condition = exp.Is(this=inner.this, expression=inner.expression)
        condition.set("negate", True)
    if (
        isinstance(condition, exp.Is)
        and condition.args.get("negate")
        and isinstance(condition.expression, exp.Null)
        and isinstance(condition.this, exp.Column)
    ):
        spec = ctx.state.tables.get(table)
        column = ident(ctx.state, condition.this)
        if spec is not None and (
            column in spec.primary_key
            or (column in spec.columns and not spec.columns[column].nullable)
        ):
            return f"{column} is NOT NULL, so {condition.sql()} holds for every row"
        return None
    from sqlglot.optimizer.simplify import simplify  # loads the optimizer: only for WHERE

    simplified = simplify(condition.copy())
    if isinstance(simplified, exp.Boolean) and simplified.this:
        return f"{condition.sql()} is always true"
    numeric = isinstance(simplified, exp.Literal) and not simplified.is_string
    if numeric and float(simplified.this) != 0:
        return f"{condition.sql()} is always true"
    return None


def _aliases(node: exp.Expression | None) -> set[str]:
    if not isinstance(node, exp.Table):
        return set()
    return {n.lower() for n in (node.name, node.alias) if n}


def _joins_target(where: exp.Expression, target: exp.Expression | None) -> bool:
    """Whether the WHERE relates the target table's rows to the other tables at all."""
    names = _aliases(target)
    for column in where.find_all(exp.Column):
        if not column.table or column.table.lower() in names:
            return True
    return False


def _data_statements(tree: exp.Expression) -> list[exp.Update | exp.Delete]:
    """The statement itself if it is an UPDATE/DELETE, and those in its WITH clause."""
    found = [tree] if isinstance(tree, exp.Update | exp.Delete) else []
    with_ = tree.args.get("with_") or tree.args.get("with")
    if isinstance(with_, exp.With):
        found += [n for cte in with_.expressions for n in _data_statements(cte.this)]
    return found


@rule("no-where")
def no_where(tree: exp.Expression, ctx: Context) -> Iterator[Hit]:
    for node in _data_statements(tree):
        verb = "UPDATE" if isinstance(node, exp.Update) else "DELETE"
        target = node.this
        if isinstance(node, exp.Delete) and node.args.get("tables"):
            target = node.args["tables"][0]
        table = table_of(ctx.state, target)
        if table in ctx.state.created_tables:
            continue
        where = node.args.get("where")
        limit = node.args.get("limit")
        others = node.args.get("using") or (
            node.args["from_"].this if node.args.get("from_") else None
        )
        inside = " (in a WITH clause)" if node is not tree else ""
        if where is None:
            if limit is not None:
                n = limit.expression.sql() if limit.expression is not None else "n"
                message = (
                    f"{verb} of {table}{inside} has no WHERE clause: each run changes {n} "
                    f"arbitrary rows, and repeated runs reach every row"
                )
            else:
                message = f"{verb} of {table}{inside} has no WHERE clause: it touches every row"
            yield (
                Severity.ERROR,
                f"table {table}",
                message,
                "add the WHERE clause that selects the intended rows (changing the whole "
                "table on purpose takes an inline '-- driftline: ignore no-where <reason>')",
            )
            continue
        why = _always_true(where.this, ctx, table)
        if why:
            yield (
                Severity.ERROR,
                f"table {table}",
                f"{verb} of {table}{inside} has an always-true WHERE ({why}): it touches every row",
                "make the WHERE clause select the intended rows",
            )
        elif others and not _joins_target(where.this, target):
            yield (
                Severity.ERROR,
                f"table {table}",
                f"{verb} of {table}{inside} joins other tables without a predicate on "
                f"{table}: it touches every row of {table} whenever the WHERE matches once",
                f"relate {table} to the joined tables in the WHERE clause",
            )


@rule("truncate")
def truncate(tree: exp.Expression, ctx: Context) -> Iterator[Hit]:
    if not isinstance(tree, exp.TruncateTable):
        return
    for target in tree.expressions:
        table = table_of(ctx.state, target)
        if table in ctx.state.created_tables:
            continue
        yield (
            Severity.ERROR,
            f"table {table}",
            f"TRUNCATE {table} removes every row",
            "delete the intended rows with a WHERE clause (emptying the table on purpose "
            "takes an inline '-- driftline: ignore truncate <reason>')",
        )


@rule("drop-critical-index")
def drop_critical_index(tree: exp.Expression, ctx: Context) -> Iterator[Hit]:
    state = ctx.state
    for table, name in dropped_indexes(state, tree):
        if name not in state.critical_indexes:
            continue
        owner, original = state.critical_defs.get(name, (table, None))
        restore = fixes.create_index(state, owner, original) if original else None
        yield (
            Severity.ERROR,
            f"index {name}",
            f"drops {name} on {owner}, which the baseline ({state.path}) marks "
            "SLA-critical: do not drop it" + ("; the fix restores it" if restore else ""),
            restore or "re-create it as the baseline defines it",
        )


@rule("critical-index-changed")
def critical_index_changed(tree: exp.Expression, ctx: Context) -> Iterator[Hit]:
    state = ctx.state
    index = tree.this if isinstance(tree, exp.Create) else None
    if isinstance(index, exp.Index) and ident(state, index.this) in state.critical_defs:
        built = index_of(state, tree)
        if built is not None and built[1].name in state.critical_defs:
            owner, original = state.critical_defs[built[1].name]
            if built[0] != owner or not same_definition(built[1], original):
                yield (
                    Severity.ERROR,
                    f"index {original.name}",
                    f"re-creates the SLA-critical index {original.name} with another "
                    f"definition than the baseline's ({state.path})",
                    fixes.recreate_index(state, owner, original),
                )


@rule("drop-fk-index")
def drop_fk_index(tree: exp.Expression, ctx: Context) -> Iterator[Hit]:
    state = ctx.state
    for table, name in dropped_indexes(state, tree):
        if name in state.critical_indexes or state.baseline_table(table) is None:
            continue
        fk = state.fk_served_only_by(table, name)
        if fk:
            cols = ", ".join(fk)
            yield (
                Severity.WARNING,
                f"index {name}",
                f"drops {name}, the only index serving the foreign key {table}({cols}): "
                f"deletes and joins on the parent will scan {table}",
                f"keep it, or first create another index leading with ({cols})",
            )


def _dropped_tables(tree: exp.Expression) -> list[exp.Table]:
    if isinstance(tree, exp.Drop) and (tree.args.get("kind") or "").upper() == "TABLE":
        return [t for t in tree.args.get("tables") or [] if isinstance(t, exp.Table)]
    return []


@rule("drop-table")
def drop_table(tree: exp.Expression, ctx: Context) -> Iterator[Hit]:
    state = ctx.state
    for target in _dropped_tables(tree):
        name = ident(state, target)
        source = state.baseline_table(name)
        if not state.has_baseline or source is None or name not in state.tables:
            continue
        critical = " (SLA-critical)" if source in state.critical_tables else ""
        renamed = f", renamed from {source} earlier in this file" if source != name else ""
        yield (
            Severity.ERROR,
            f"table {source}",
            f"drops {name}, a table of the baseline{critical}{renamed}",
            "remove the DROP TABLE, or update the baseline in the same change",
        )


def alter_actions(tree: exp.Expression, ctx: Context) -> tuple[str, list[exp.Expression]]:
    if isinstance(tree, exp.Alter) and (tree.args.get("kind") or "").upper() == "TABLE":
        return table_of(ctx.state, tree.this), list(tree.args.get("actions") or [])
    return "", []


def baseline_alter(tree: exp.Expression, ctx: Context) -> tuple[str, list[exp.Expression]]:
    """:func:`alter_actions` of an ALTER TABLE on a baseline table; nothing for other tables."""
    table, actions = alter_actions(tree, ctx)
    if not table or ctx.state.baseline_table(table) is None:
        return "", []
    return table, actions


@rule("drop-column-in-use")
def drop_column_in_use(tree: exp.Expression, ctx: Context) -> Iterator[Hit]:
    state = ctx.state
    table, actions = baseline_alter(tree, ctx)
    for action in actions:
        if not isinstance(action, exp.Drop) or (action.args.get("kind") or "").upper() != "COLUMN":
            continue
        for col in action.args.get("tables") or []:
            column = ident(state, col)
            users = state.column_users(table, column)
            if users:
                yield (
                    Severity.ERROR,
                    f"column {table}.{column}",
                    f"drops {table}.{column}, which {', '.join(users)} uses",
                    "drop or replace the index/constraint deliberately first, in its own step",
                )


@rule("drop-primary-key")
def drop_primary_key(tree: exp.Expression, ctx: Context) -> Iterator[Hit]:
    state = ctx.state
    table, actions = alter_actions(tree, ctx)
    source = state.baseline_table(table) if table else None
    if source is None:
        return
    for action in actions:
        is_pk = isinstance(action, exp.DropPrimaryKey) or (
            isinstance(action, exp.Drop)
            and (action.args.get("kind") or "").upper() == "CONSTRAINT"
            and any(
                is_primary_key_name(state, table, ident(state, t))
                for t in action.args.get("tables") or []
            )
        )
        if not is_pk:
            continue
        critical = source in state.critical_keys or source in state.critical_tables
        spec = state.tables.get(table)
        columns = f" ({', '.join(spec.primary_key)})" if spec and spec.primary_key else ""
        yield (
            Severity.ERROR if critical else Severity.WARNING,
            f"primary key {table}",
            f"drops the primary key of {table}{columns}"
            + (", which is marked critical" if critical else "")
            + f": lookups by key scan {table} and duplicates become possible",
            "keep the primary key; to change it, add the new unique index first",
        )


@rule("drop-constraint")
def drop_constraint(tree: exp.Expression, ctx: Context) -> Iterator[Hit]:
    state = ctx.state
    table, actions = baseline_alter(tree, ctx)
    for action in actions:
        kind = (action.args.get("kind") or "").upper() if isinstance(action, exp.Drop) else ""
        if kind not in ("CONSTRAINT", "FOREIGN KEY", "CHECK"):
            continue
        for target in action.args.get("tables") or []:
            name = ident(state, target)
            if is_primary_key_name(state, table, name):
                continue
            yield (
                Severity.WARNING,
                f"constraint {table}.{name}",
                f"drops the constraint {name} of {table}: the rows it guarded are no "
                "longer checked",
                "drop it only together with the code that no longer needs it",
            )
