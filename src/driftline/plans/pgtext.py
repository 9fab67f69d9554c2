"""PostgreSQL's text-format plans (EXPLAIN's default, auto_explain's default) into the plan model.

Hand-written: no Python library reads this format. Each node line is turned into the dictionary
``EXPLAIN (FORMAT JSON)`` would have given (node type, relation, index, costs, actual figures,
conditions, buffers, sub/init plan relationship), and :mod:`driftline.plans.postgresql` parses
that, so both formats give the same plan. The tree comes from the ``->`` arrows' columns; a
detail line belongs to the node above it with the nearest smaller indentation.
"""

from __future__ import annotations

import re
from typing import Any

from driftline.plans.model import Plan
from driftline.plans.postgresql import CONDITIONS, _statement

_FIGURES = re.compile(
    r"\s*(?:\(cost=(?P<startup>[\d.]+)\.\.(?P<total>[\d.]+) rows=(?P<rows>[\d.]+) width=\d+\))?"
    r"\s*(?:\(actual (?:time=(?P<a_start>[\d.]+)\.\.(?P<a_total>[\d.]+) )?"
    r"rows=(?P<a_rows>[\d.]+) loops=(?P<loops>\d+)\)|(?P<never>\(never executed\)))?\s*$"
)
_NAME = r'(?:"(?:[^"]|"")+"|[^\s"]+)'
_INDEX_SCAN = re.compile(
    rf"^(?P<type>Index Only Scan|Index Scan)(?P<back> Backward)? using (?P<index>{_NAME}) "
    rf"on (?P<rel>{_NAME})(?: {_NAME})?$"
)
_RELATION_SCANS = "Bitmap Heap Scan|Seq Scan|Sample Scan|Tid Range Scan|Tid Scan|Foreign Scan"
_RELATION = re.compile(rf"^(?P<type>{_RELATION_SCANS}) on (?P<rel>{_NAME})(?: {_NAME})?$")
_NAMED = re.compile(
    r"^(?P<type>CTE Scan|Function Scan|Subquery Scan|Values Scan|WorkTable Scan|"
    r"Table Function Scan|Named Tuplestore Scan) on .+$"
)
_BITMAP_INDEX = re.compile(rf"^Bitmap Index Scan on (?P<index>{_NAME})$")
_MODIFY = re.compile(rf"^(?P<op>Insert|Update|Delete|Merge) on (?P<rel>{_NAME})(?: {_NAME})?$")
_JOIN = re.compile(
    r"^(?P<type>Nested Loop|Hash|Merge)(?: (?:Left|Right|Full|Semi|Anti|Right Semi|Right Anti))?"
    r"(?: Join)?$"
)
_AGGREGATE = re.compile(r"^(?:Partial |Finalize )?(?P<kind>Hash|Group|Mixed)?Aggregate$")
_SETOP = re.compile(r"^(?P<hashed>Hash)?SetOp\b")
_SUBPLAN = re.compile(r"^(?P<rel>InitPlan|SubPlan|CTE)\b(?P<rest>.*)$")
_BUFFER_KEYS = {
    ("shared", "hit"): "Shared Hit Blocks",
    ("shared", "read"): "Shared Read Blocks",
    ("temp", "read"): "Temp Read Blocks",
    ("temp", "written"): "Temp Written Blocks",
}


def _unquote(name: str) -> str:
    name = name.split(".")[-1] if not name.startswith('"') else name
    if name.startswith('"') and name.endswith('"'):
        return name[1:-1].replace('""', '"')
    return name


def _header(text: str) -> dict[str, Any]:
    """The JSON-shaped node of one node line (without children)."""
    match = _FIGURES.search(text)
    name = text[: match.start()].strip() if match else text.strip()
    node: dict[str, Any] = {}
    if name.startswith("Parallel "):
        node["Parallel Aware"] = True
        name = name.removeprefix("Parallel ")
    if m := _INDEX_SCAN.match(name):
        node.update({"Node Type": m["type"], "Index Name": _unquote(m["index"])})
        node["Relation Name"] = _unquote(m["rel"])
        node["Scan Direction"] = "Backward" if m["back"] else "Forward"
    elif m := _RELATION.match(name):
        node.update({"Node Type": m["type"], "Relation Name": _unquote(m["rel"])})
    elif m := _NAMED.match(name):
        node["Node Type"] = m["type"]
    elif m := _BITMAP_INDEX.match(name):
        node.update({"Node Type": "Bitmap Index Scan", "Index Name": _unquote(m["index"])})
    elif m := _MODIFY.match(name):
        node.update({"Node Type": "ModifyTable", "Operation": m["op"]})
        node["Relation Name"] = _unquote(m["rel"])
    elif m := _AGGREGATE.match(name):
        strategy = {"Hash": "Hashed", "Group": "Sorted", "Mixed": "Mixed"}.get(m["kind"] or "")
        node.update({"Node Type": "Aggregate", "Strategy": strategy or "Plain"})
    elif m := _SETOP.match(name):
        node.update({"Node Type": "SetOp", "Strategy": "Hashed" if m["hashed"] else "Sorted"})
    elif name.startswith("Custom Scan"):
        node["Node Type"] = "Custom Scan"
    elif name == "Hash":
        node["Node Type"] = "Hash"
    elif m := _JOIN.match(name):
        node["Node Type"] = {"Hash": "Hash Join", "Merge": "Merge Join"}.get(m["type"], m["type"])
    else:
        node["Node Type"] = name
    if match:
        if match["total"] is not None:
            node["Total Cost"] = float(match["total"])
            node["Plan Rows"] = float(match["rows"])
        if match["never"]:
            node.update({"Actual Loops": 0, "Actual Rows": 0.0, "Actual Total Time": 0.0})
        elif match["loops"] is not None:
            node["Actual Loops"] = int(match["loops"])
            node["Actual Rows"] = float(match["a_rows"])
            if match["a_total"] is not None:
                node["Actual Total Time"] = float(match["a_total"])
    return node


def _detail(node: dict[str, Any], line: str) -> None:
    key, sep, value = line.partition(": ")
    if not sep:
        return
    if key in CONDITIONS:
        node[key] = value
    elif key == "Rows Removed by Filter":
        node[key] = float(value)
    elif key in ("Workers Planned", "Workers Launched"):
        node[key] = int(value)
    elif key == "Buffers":
        for part in value.split(", "):
            kind, _, pairs = part.partition(" ")
            for pair in pairs.split():
                what, _, number = pair.partition("=")
                target = _BUFFER_KEYS.get((kind, what))
                if target and number.isdigit():
                    node[target] = int(number)


def parse_document(text: str) -> dict[str, Any]:
    """The JSON-shaped top (``Plan``, times) of one text-format plan."""
    top: dict[str, Any] = {}
    stack: list[tuple[int, dict[str, Any]]] = []  # (column of the node's text, node)
    pending: tuple[int, str, str] | None = None  # an InitPlan/SubPlan line waiting for its node
    section: int | None = None  # indentation of a "Planning:"/"JIT:" block being skipped
    for raw in text.splitlines():
        if not raw.strip() or raw.strip() == "QUERY PLAN" or set(raw.strip()) == {"-"}:
            continue
        indent = len(raw) - len(raw.lstrip())
        body = raw.strip()
        if section is not None and indent > section:
            continue
        section = None
        if body in ("Planning:", "JIT:", "Triggers:"):
            section = indent
            continue
        for key in ("Planning Time", "Execution Time"):
            if body.startswith(f"{key}: "):
                top[key] = float(body.split()[2])
        if body.startswith(("Planning Time:", "Execution Time:", "Query Text:")):
            continue
        arrow = body.startswith("->")
        if arrow or not stack:
            node = _header(body[2:].strip() if arrow else body)
            column = indent + (body.index(body[2:].strip(), 2) if arrow else 0)
            while stack and stack[-1][0] >= indent:
                stack.pop()
            if pending and indent > pending[0]:
                node["Parent Relationship"] = pending[1]
                if pending[2]:
                    node["Subplan Name"] = pending[2]
                pending = None
            if stack:
                stack[-1][1].setdefault("Plans", []).append(node)
            else:
                top["Plan"] = node
            stack.append((column, node))
            continue
        if m := _SUBPLAN.match(body):
            while stack and stack[-1][0] >= indent:
                stack.pop()
            relationship = "SubPlan" if m["rel"] == "SubPlan" else "InitPlan"
            pending = (indent, relationship, body)
            continue
        owner = next((n for col, n in reversed(stack) if col < indent), stack[-1][1])
        _detail(owner, body)
    if "Plan" not in top:
        raise ValueError("no plan in the text")
    return top


def parse(text: str) -> Plan:
    """A text-format plan (EXPLAIN [ANALYZE] output) as the plan model."""
    return _statement(parse_document(text))


__all__ = ["parse", "parse_document"]
