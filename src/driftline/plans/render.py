"""Side-by-side plan trees for the terminal: aligned rows, figures per node, changes marked.

The two trees are flattened in pre-order and aligned node by node (``difflib`` over each node's
operation, table and index), so an unchanged node sits beside its counterpart and an inserted or
removed one beside a blank. Each node shows its label, table and index, then its figures: rows
(actual per loop against the estimate), loops, exclusive time and buffers when measured. The mark
column says ``=`` same, ``~`` changed, ``-`` only before, ``+`` only after. Text wraps at spaces,
never inside a word; when a word cannot fit half the width, the plans are printed one below the
other instead. Only the console decides the width (``__rich_console__``).
"""

from __future__ import annotations

import difflib
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text

from driftline.plans.capture import Capture
from driftline.plans.model import Plan, PlanNode

MARKS = {"same": "=", "changed": "~", "removed": "-", "added": "+"}
_STYLES = {"changed": "yellow", "removed": "red", "added": "green"}
#: Conditions shown under a changed node.
_SHOWN_DETAIL = ("Index Cond", "Recheck Cond", "Filter", "Join Filter", "Hash Cond", "Sort Key")


def _flat(plan: Plan | None) -> list[tuple[int, PlanNode]]:
    if plan is None:
        return []
    found: list[tuple[int, PlanNode]] = []

    def visit(node: PlanNode, depth: int) -> None:
        found.append((depth, node))
        for child in node.children:
            visit(child, depth + 1)

    visit(plan.root, 0)
    return found


def _key(node: PlanNode) -> tuple:
    """What aligns two nodes: their operation and what they read (a parallel scan aligns with
    its serial counterpart, marked as changed)."""
    return (node.op.value, node.table, node.index, node.join)


def _number(value: float) -> str:
    if value >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}" if value < 10 else f"{value:,.1f}"


def figures(node: PlanNode) -> str:
    """The node's figures in one line: rows, loops, exclusive time, buffers, cost."""
    m = node.metrics
    parts = []
    if "actual_rows" in m:
        est = f" (est {_number(m['rows'])})" if "rows" in m else ""
        parts.append(f"rows {_number(m['actual_rows'])}{est}")
    elif "rows" in m:
        parts.append(f"est rows {_number(m['rows'])}")
    if m.get("loops", 1) != 1:
        parts.append(f"loops {_number(m['loops'])}")
    if "exclusive_ms" in m:
        parts.append(f"excl {_number(m['exclusive_ms'])} ms")
    elif "actual_ms" in m:
        parts.append(f"{_number(m['actual_ms'])} ms")
    hit, read = m.get("shared_hit"), m.get("shared_read")
    if hit or read:
        parts.append(f"buffers hit {_number(hit or 0)} read {_number(read or 0)}")
    if "cost" in m:
        parts.append(f"cost {_number(m['cost'])}")
    return ", ".join(parts)


def _title(node: PlanNode) -> str:
    text = node.label
    if node.table:
        text += f" on {node.table}"
    if node.index:
        text += f" using {node.index}"
    return text


@dataclass(frozen=True)
class Row:
    mark: str  # same | changed | removed | added
    before: tuple[int, PlanNode] | None
    after: tuple[int, PlanNode] | None


def align(before: Plan | None, after: Plan | None) -> list[Row]:
    """Pair the nodes of two plans in tree order; unmatched nodes get a blank partner."""
    left, right = _flat(before), _flat(after)
    matcher = difflib.SequenceMatcher(
        a=[_key(n) for _, n in left], b=[_key(n) for _, n in right], autojunk=False
    )
    rows: list[Row] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                same = left[i][1].label == right[j][1].label
                rows.append(Row("same" if same else "changed", left[i], right[j]))
            continue
        rows += _pair_changed(left[i1:i2], right[j1:j2])
    return rows


def _related(b: PlanNode, a: PlanNode) -> bool:
    return (b.table is not None and b.table == a.table) or b.op is a.op


def _pair_changed(left: list, right: list) -> list[Row]:
    """Within a changed stretch, pair a node with the next one reading the same table (or doing
    the same operation), in order; the rest were removed or added."""
    rows: list[Row] = []
    j = 0
    for b in left:
        match = next((k for k in range(j, len(right)) if _related(b[1], right[k][1])), None)
        if match is None:
            rows.append(Row("removed", b, None))
            continue
        rows += [Row("added", None, a) for a in right[j:match]]
        rows.append(Row("changed", b, right[match]))
        j = match + 1
    rows += [Row("added", None, a) for a in right[j:]]
    return rows


def _cell(entry: tuple[int, PlanNode] | None, changed: bool) -> list[str]:
    """The paragraphs of one side of a row (indentation applied when laid out)."""
    if entry is None:
        return []
    _, node = entry
    lines = [_title(node)]
    numbers = figures(node)
    if numbers:
        lines.append(numbers)
    if changed:
        lines += [f"{k}: {node.detail[k]}" for k in _SHOWN_DETAIL if k in node.detail]
    return lines


def _wrap(paragraphs: list[str], width: int, indent: int) -> list[str]:
    out = []
    for i, text in enumerate(paragraphs):
        first = " " * indent + ("" if i == 0 else "  ")
        rest = " " * indent + "  "
        out += textwrap.wrap(
            text,
            width,
            initial_indent=first,
            subsequent_indent=rest,
            break_long_words=False,
            break_on_hyphens=False,
        ) or [first]
    return out


def _longest_word(paragraphs: list[str]) -> int:
    return max((len(word) for text in paragraphs for word in text.split()), default=0)


def _indent(depth: int, width: int, longest: int) -> int:
    """Two columns per level, never so deep that the longest word cannot fit after it."""
    return max(0, min(2 * depth, width - longest - 2))


def lines(before: Plan | None, after: Plan | None, width: int) -> Iterator[tuple[str, str]]:
    """``(mark, text)`` lines of the two plans side by side in ``width`` columns."""
    rows = align(before, after)
    column = (width - 5) // 2
    cells = [(_cell(r.before, r.mark != "same"), _cell(r.after, r.mark != "same")) for r in rows]
    longest = max((_longest_word(c) for pair in cells for c in pair), default=0)
    if longest + 2 > column:  # not even one word fits half the width: one plan below the other
        for title, side in (("before", "before"), ("after", "after")):
            yield "", f"--- {title} ---"
            for row in rows:
                entry = getattr(row, side)
                if entry is None:
                    continue
                paragraphs = _cell(entry, row.mark != "same")
                indent = _indent(entry[0], width - 2, _longest_word(paragraphs))
                for text in _wrap(paragraphs, width - 2, indent):
                    yield row.mark, f"{MARKS[row.mark]} {text}"
        return
    for row, pair in zip(rows, cells, strict=True):
        sides = []
        for entry, paragraphs in zip((row.before, row.after), pair, strict=True):
            if entry is None:
                sides.append([])
                continue
            indent = _indent(entry[0], column, _longest_word(paragraphs))
            sides.append(_wrap(paragraphs, column, indent))
        height = max(len(s) for s in sides)
        for k in range(height):
            left = sides[0][k] if k < len(sides[0]) else ""
            right = sides[1][k] if k < len(sides[1]) else ""
            mark = MARKS[row.mark] if k == 0 else " "
            yield row.mark, f"{left:<{column}} {mark} | {right}".rstrip()


class PlanPair:
    """One query's two plans, side by side (a rich renderable)."""

    def __init__(self, title: str, before: Plan | None, after: Plan | None, heads: tuple[str, str]):
        self.title, self.before, self.after, self.heads = title, before, after, heads

    def render(self, width: int) -> list[Text]:
        out = [Text(line, style="bold") for line in textwrap.wrap(self.title, width)]
        for side, head in zip(("before", "after"), self.heads, strict=True):
            wrapped = textwrap.wrap(
                f"{side}: {head}", width, break_long_words=False, break_on_hyphens=False
            )
            out += [Text(line, style="dim") for line in wrapped]
        for mark, text in lines(self.before, self.after, width):
            out.append(Text(text, style=_STYLES.get(mark, "")))
        return out

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.render(min(options.max_width, 160))
        yield Text("")


def side_by_side(before: Capture, after: Capture) -> list[PlanPair]:
    """One side-by-side pair per query and parameter set."""
    pairs = []
    heads = (before.path or before.source, after.path or after.source)
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
            pairs.append(PlanPair(title, b, a, heads))
    return pairs
