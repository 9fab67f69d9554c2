"""Side-by-side plan trees for the terminal (rich renderables; the console decides output)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from driftline.plans.capture import Capture
from driftline.plans.model import ACCESS_OPS, Access, Plan, PlanNode


def _label(node: PlanNode, other: set[Access] | None, removed_style: str) -> Text:
    text = Text(node.label)
    if node.table:
        text.append(f" {node.table}", style="bold")
    if node.index:
        text.append(f" [{node.index}]", style="cyan")
    if node.join and node.join not in node.label.lower().replace(" ", "_"):
        text.append(f" ({node.join})")
    cost = node.metrics.get("cost")
    if cost is not None:
        text.append(f" cost={cost:,.1f}", style="dim")
    if (
        other is not None
        and node.op in ACCESS_OPS
        and node.table
        and Access(node.table, node.op, node.index) not in other
    ):
        text.stylize(removed_style)
    return text


def plan_tree(plan: Plan | None, title: str, other: Plan | None, style: str) -> Tree | Text:
    if plan is None:
        return Text("(no plan)", style="dim")
    other_access = set(other.access()) if other is not None else None
    tree = Tree(Text(title, style="bold"))

    def add(parent: Tree, node: PlanNode) -> None:
        branch = parent.add(_label(node, other_access, style))
        for child in node.children:
            add(branch, child)

    add(tree, plan.root)
    return tree


def side_by_side(before: Capture, after: Capture) -> list[Table]:
    """One two-column table per query and parameter set; changed table reads highlighted."""
    tables = []
    names = list(after.queries) + [n for n in before.queries if n not in after.queries]
    for name in names:
        left = before.queries.get(name)
        right = after.queries.get(name)
        count = max(len(left.plans) if left else 0, len(right.plans) if right else 0)
        for i in range(count):
            b = left.plans[i] if left and i < len(left.plans) else None
            a = right.plans[i] if right and i < len(right.plans) else None
            same = b is not None and a is not None and b.shape_hash() == a.shape_hash()
            title = f"{name}{f'[{i}]' if count > 1 else ''}" + (" (same shape)" if same else "")
            table = Table(title=title, expand=True, show_lines=False)
            table.add_column(before.path or before.source, ratio=1, overflow="fold")
            table.add_column(after.path or after.source, ratio=1, overflow="fold")
            table.add_row(
                plan_tree(b, f"cost {b.cost:,.1f}" if b and b.cost else "plan", a, "red"),
                plan_tree(a, f"cost {a.cost:,.1f}" if a and a.cost else "plan", b, "green"),
            )
            tables.append(table)
    return tables
