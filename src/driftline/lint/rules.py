"""The lint rules: one function each, registered in :data:`RULES` by name.

A rule gets one parsed statement and the file's context and returns hits
``(severity, object, message, fix)``. Rules stay quiet about objects created in the same file and,
where they need one, without a baseline (no context-free false positives).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlglot import exp
from sqlglot.optimizer.simplify import simplify

from driftline.findings import Severity
from driftline.lint.baseline_view import BaselineView, bare

Hit = tuple[Severity, str, str, str | None]


@dataclass
class Context:
    dialect: str
    baseline: BaselineView | None = None
    large_tables: set[str] = field(default_factory=set)
    created_tables: set[str] = field(default_factory=set)
    created_indexes: set[str] = field(default_factory=set)

    @property
    def big_tables(self) -> set[str]:
        known = self.baseline.tables if self.baseline else set()
        return (known | self.large_tables) - self.created_tables


Rule = Callable[[exp.Expression, Context], list[Hit]]
RULES: dict[str, Rule] = {}


def rule(name: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        RULES[name] = fn
        return fn

    return register


def _table_name(node: exp.Expression | None) -> str:
    table = node.find(exp.Table) if node is not None else None
    return bare(table.name) if table is not None else ""


def _always_true(condition: exp.Expression) -> bool:
    if isinstance(condition, exp.Or):
        return _always_true(condition.left) or _always_true(condition.right)
    if isinstance(condition, exp.Paren):
        return _always_true(condition.this)
    if isinstance(condition, exp.EQ) and condition.left.sql() == condition.right.sql():
        return True  # x = x: every row where x is not NULL, i.e. meant as "all rows"
    simplified = simplify(condition.copy())
    if isinstance(simplified, exp.Boolean):
        return bool(simplified.this)
    if isinstance(simplified, exp.Literal) and not simplified.is_string:
        return float(simplified.this) != 0
    return False


@rule("no-where")
def no_where(tree: exp.Expression, ctx: Context) -> list[Hit]:
    if not isinstance(tree, exp.Update | exp.Delete):
        return []
    verb = "UPDATE" if isinstance(tree, exp.Update) else "DELETE"
    table = _table_name(tree.this if tree.this is not None else tree)
    if table in ctx.created_tables:
        return []
    where = tree.args.get("where")
    if where is None:
        return [
            (
                Severity.ERROR,
                f"table {table}",
                f"{verb} of {table} has no WHERE clause: it touches every row",
                "add the WHERE clause that selects the intended rows (changing the whole table "
                "on purpose takes an inline '-- driftline: ignore no-where <reason>')",
            )
        ]
    if _always_true(where.this):
        return [
            (
                Severity.ERROR,
                f"table {table}",
                f"{verb} of {table} has an always-true WHERE ({where.this.sql()}): it touches "
                "every row",
                "make the WHERE clause select the intended rows",
            )
        ]
    return []


def _dropped(tree: exp.Expression, kind: str) -> list[exp.Table]:
    if isinstance(tree, exp.Drop) and (tree.args.get("kind") or "").upper() == kind:
        return [t for t in tree.args.get("tables") or [] if isinstance(t, exp.Table)]
    return []


def _restore_index(view: BaselineView, name: str) -> str | None:
    if name not in view.indexes:
        return None
    table, cols = view.indexes[name]
    return f'CREATE INDEX "{name}" ON "{table}" ({", ".join(f"{c!r}" for c in cols)});'.replace(
        "'", '"'
    )


@rule("drop-critical-index")
def drop_critical_index(tree: exp.Expression, ctx: Context) -> list[Hit]:
    view = ctx.baseline
    hits: list[Hit] = []
    for table in _dropped(tree, "INDEX"):
        name = bare(table.name)
        if view is None or name in ctx.created_indexes:
            continue
        if name in view.critical_indexes:
            owner = view.indexes.get(name, ("?", []))[0]
            hits.append(
                (
                    Severity.ERROR,
                    f"index {name}",
                    f"drops {name} on {owner}, which the baseline ({view.path}) marks SLA-critical",
                    f"do not drop it; to restore it: {_restore_index(view, name)}",
                )
            )
            continue
    return hits


@rule("drop-fk-index")
def drop_fk_index(tree: exp.Expression, ctx: Context) -> list[Hit]:
    view = ctx.baseline
    hits: list[Hit] = []
    for table in _dropped(tree, "INDEX"):
        name = bare(table.name)
        if view is None or name in ctx.created_indexes or name in view.critical_indexes:
            continue
        fk = view.only_index_for_fk(name)
        if fk:
            owner = view.indexes[name][0]
            hits.append(
                (
                    Severity.WARNING,
                    f"index {name}",
                    f"drops {name}, the only index serving the foreign key {owner}"
                    f"({', '.join(fk)}): deletes and joins on the parent will scan {owner}",
                    f"keep it, or first create another index leading with ({', '.join(fk)})",
                )
            )
    return hits


@rule("drop-table")
def drop_table(tree: exp.Expression, ctx: Context) -> list[Hit]:
    view = ctx.baseline
    hits: list[Hit] = []
    for table in _dropped(tree, "TABLE"):
        name = bare(table.name)
        if view is not None and name in view.tables and name not in ctx.created_tables:
            critical = " (SLA-critical)" if name in view.critical_tables else ""
            hits.append(
                (
                    Severity.ERROR,
                    f"table {name}",
                    f"drops {name}, a table of the baseline{critical}",
                    "remove the DROP TABLE, or update the baseline in the same change",
                )
            )
    return hits


def _alter_actions(tree: exp.Expression) -> tuple[str, list[exp.Expression]]:
    if isinstance(tree, exp.Alter) and (tree.args.get("kind") or "").upper() == "TABLE":
        return _table_name(tree.this), list(tree.args.get("actions") or [])
    return "", []


@rule("drop-column-in-use")
def drop_column_in_use(tree: exp.Expression, ctx: Context) -> list[Hit]:
    view = ctx.baseline
    table, actions = _alter_actions(tree)
    if view is None or not table or table in ctx.created_tables:
        return []
    hits: list[Hit] = []
    for action in actions:
        if not isinstance(action, exp.Drop) or (action.args.get("kind") or "").upper() != "COLUMN":
            continue
        for col in action.args.get("tables") or []:
            column = bare(col.name)
            users = view.index_users(table, column)
            constrained = column in view.constraint_columns.get(table, set())
            if users or constrained:
                what = ", ".join([f"index {u}" for u in users] + (["a constraint"] * constrained))
                hits.append(
                    (
                        Severity.ERROR,
                        f"column {table}.{column}",
                        f"drops {table}.{column}, which {what} uses",
                        "drop or replace the index/constraint deliberately first, in its own step",
                    )
                )
    return hits


@rule("index-not-concurrently")
def index_not_concurrently(tree: exp.Expression, ctx: Context) -> list[Hit]:
    if ctx.dialect != "postgres" or not isinstance(tree, exp.Create):
        return []
    if (tree.args.get("kind") or "").upper() != "INDEX" or tree.args.get("concurrently"):
        return []
    index = tree.this
    table = _table_name(index.args.get("table") if isinstance(index, exp.Index) else index)
    if table not in ctx.big_tables:
        return []
    fixed = tree.copy()
    fixed.set("concurrently", True)
    return [
        (
            Severity.WARNING,
            f"table {table}",
            f"CREATE INDEX on {table} without CONCURRENTLY blocks writes to it while it builds",
            fixed.sql(dialect="postgres") + "  -- outside a transaction block",
        )
    ]


_VOLATILE = {"now", "random", "gen_random_uuid", "uuid_generate_v4", "clock_timestamp",
             "statement_timestamp", "timeofday"}  # fmt: skip


def _volatile(node: exp.Expression) -> bool:
    for fn in node.find_all(exp.Func):
        name = (fn.sql_name() if not isinstance(fn, exp.Anonymous) else fn.name).lower()
        if name in _VOLATILE or isinstance(fn, exp.CurrentTimestamp | exp.Rand):
            return True
    return False


@rule("table-rewrite")
def table_rewrite(tree: exp.Expression, ctx: Context) -> list[Hit]:
    if ctx.dialect != "postgres":
        return []
    table, actions = _alter_actions(tree)
    if not table or table not in ctx.big_tables:
        return []
    hits: list[Hit] = []
    for action in actions:
        if isinstance(action, exp.AlterColumn) and action.args.get("dtype") is not None:
            hits.append(
                (
                    Severity.WARNING,
                    f"column {table}.{bare(action.this.name)}",
                    f"changing the type of {table}.{bare(action.this.name)} rewrites the whole "
                    "table under an ACCESS EXCLUSIVE lock",
                    "add a new column, backfill in batches, then switch over",
                )
            )
        elif isinstance(action, exp.AlterColumn) and action.args.get("allow_null") is False:
            hits.append(
                (
                    Severity.WARNING,
                    f"column {table}.{bare(action.this.name)}",
                    f"SET NOT NULL on {table} scans the whole table under an ACCESS EXCLUSIVE lock",
                    "add CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT, then SET NOT NULL",
                )
            )
        elif isinstance(action, exp.ColumnDef):
            for constraint in action.args.get("constraints") or []:
                kind = constraint.args.get("kind")
                if isinstance(kind, exp.DefaultColumnConstraint) and _volatile(kind):
                    hits.append(
                        (
                            Severity.WARNING,
                            f"column {table}.{bare(action.name)}",
                            f"ADD COLUMN with a volatile default rewrites {table} under an "
                            "ACCESS EXCLUSIVE lock",
                            "add the column without a default, then backfill in batches",
                        )
                    )
    return hits
