"""Side-by-side plan trees: aligned, marked, figures shown, never wider than the console and never
a word broken (rendered into fixed-width consoles, colour off)."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from driftline.plans.model import Op, Plan, PlanNode
from driftline.plans.render import PlanPair, align, figures

LONG_INDEX = "ix_ticket_status_log_status_changed"


def scan(op, label, index=None, **metrics):
    return PlanNode(op, label, "ticket_status_log", index, metrics=metrics)


def tree(*children, label="Limit"):
    node = PlanNode(Op.LIMIT, label, children=list(children), metrics={"cost": 12.5})
    for depth in range(6):  # deep nesting: indentation must give way to long words
        node = PlanNode(Op.SORT, f"Sort{depth}", children=[node])
    return Plan(node)


BEFORE = tree(
    scan(
        Op.INDEX_SCAN,
        "Index Scan",
        LONG_INDEX,
        rows=50,
        actual_rows=12,
        loops=3,
        exclusive_ms=0.042,
        shared_hit=120,
        cost=8.4,
    )
)
AFTER = tree(
    PlanNode(
        Op.GATHER,
        "Gather",
        children=[
            scan(Op.FULL_SCAN, "Parallel Seq Scan", rows=5e5, actual_rows=4, loops=3, cost=9e4)
        ],
    )
)
next(n for n in AFTER.nodes() if n.op is Op.FULL_SCAN).detail = {
    "Filter": "((status_code)::text = ANY ('{NEW,REOPENED}'::text[]))"
}


def rendered(width: int) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None, force_terminal=False)
    console.print(PlanPair("dispatch_pickup", BEFORE, AFTER, ("monday.yaml", "postgresql://h/db")))
    return console.file.getvalue()


@pytest.mark.parametrize("width", [60, 80, 100, 160])
def test_fits_the_width_and_never_breaks_a_word(width):
    out = rendered(width)
    assert max(len(line) for line in out.splitlines()) <= width
    words = set(re.findall(r"\S+", out))
    for word in (LONG_INDEX, "ticket_status_log", "('{NEW,REOPENED}'::text[]))", "Parallel"):
        assert word in words, (word, out)


def test_alignment_and_marks():
    rows = align(BEFORE, AFTER)
    marks = [(r.mark, r.before and r.before[1].label, r.after and r.after[1].label) for r in rows]
    assert marks[:7] == [("same", f"Sort{d}", f"Sort{d}") for d in range(5, -1, -1)] + [
        ("same", "Limit", "Limit")
    ]
    assert ("added", None, "Gather") in marks
    assert ("changed", "Index Scan", "Parallel Seq Scan") in marks
    out = rendered(100)
    assert re.search(r"Index Scan on .* ~ \|", out)
    assert re.search(r"\+ \|\s+Gather", out)


def test_figures_show_rows_loops_time_buffers():
    text = figures(
        BEFORE.root.children[0]
        .children[0]
        .children[0]
        .children[0]
        .children[0]
        .children[0]
        .children[0]
    )
    assert text == "rows 12 (est 50), loops 3, excl 0.04 ms, buffers hit 120 read 0, cost 8.40"
