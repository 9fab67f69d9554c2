"""PostgreSQL: ``EXPLAIN (FORMAT JSON)`` into the plan model.

Node types map onto operation classes; a Bitmap Heap Scan and its Bitmap Index Scans (under
BitmapAnd/BitmapOr too) merge into one ``bitmap`` node; a Hash node folds into its Hash Join;
SubPlans and InitPlans become ``subplan`` nodes. Index scans through a primary-key index become
``pk_lookup`` once the catalog is known (see :meth:`Plan.mark_primary`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from driftline.plans import catalog as cat
from driftline.plans.model import Op, Plan, PlanNode

_OPS = {
    "Seq Scan": Op.FULL_SCAN,
    "Index Scan": Op.INDEX_SCAN,
    "Index Only Scan": Op.INDEX_ONLY,
    "Bitmap Heap Scan": Op.BITMAP,
    "Nested Loop": Op.JOIN,
    "Hash Join": Op.JOIN,
    "Merge Join": Op.JOIN,
    "Sort": Op.SORT,
    "Incremental Sort": Op.SORT,
    "Aggregate": Op.AGGREGATE,
    "Group": Op.AGGREGATE,
    "WindowAgg": Op.AGGREGATE,
    "Materialize": Op.MATERIALIZE,
    "Memoize": Op.MATERIALIZE,
    "CTE Scan": Op.MATERIALIZE,
    "Gather": Op.GATHER,
    "Gather Merge": Op.GATHER,
}
_JOINS = {"Nested Loop": "nested_loop", "Hash Join": "hash", "Merge Join": "merge"}


def _metrics(node: Mapping[str, Any]) -> dict[str, float]:
    found: dict[str, float] = {}
    if "Total Cost" in node:
        found["cost"] = float(node["Total Cost"])
    if "Plan Rows" in node:
        found["rows"] = float(node["Plan Rows"])
    if "Actual Total Time" in node:
        loops = float(node.get("Actual Loops") or 1)
        found["actual_ms"] = float(node["Actual Total Time"]) * loops
        found["actual_rows"] = float(node.get("Actual Rows") or 0) * loops
    return found


def _bitmap_indexes(node: Mapping[str, Any]) -> list[str]:
    names = []
    if node.get("Node Type") == "Bitmap Index Scan" and node.get("Index Name"):
        names.append(str(node["Index Name"]))
    for child in node.get("Plans") or []:
        names.extend(_bitmap_indexes(child))
    return names


def _node(raw: Mapping[str, Any]) -> PlanNode:
    kind = str(raw.get("Node Type", "?"))
    children_raw = list(raw.get("Plans") or [])
    if kind == "Hash" and len(children_raw) == 1:
        return _node(children_raw[0])
    op = _OPS.get(kind, Op.OTHER)
    node = PlanNode(
        op=op,
        label=kind,
        table=raw.get("Relation Name"),
        index=raw.get("Index Name"),
        join=_JOINS.get(kind),
        metrics=_metrics(raw),
    )
    if kind == "Bitmap Heap Scan":
        node.index = "+".join(sorted(set(_bitmap_indexes(raw)))) or None
        children_raw = []
    for child in children_raw:
        parsed = _node(child)
        relation = str(child.get("Parent Relationship", ""))
        if relation in ("SubPlan", "InitPlan"):
            parsed = PlanNode(Op.SUBPLAN, relation, children=[parsed])
        node.children.append(parsed)
    return node


def parse(document: str | list | Mapping[str, Any]) -> Plan:
    """Parse EXPLAIN (FORMAT JSON) output: the JSON text or the decoded value."""
    data = json.loads(document) if isinstance(document, str) else document
    top = data[0] if isinstance(data, list) else data
    plan = Plan(_node(top["Plan"]))
    plan.metrics = {k: v for k, v in plan.root.metrics.items() if k in ("cost", "rows")}
    if "Execution Time" in top:
        plan.metrics["actual_ms"] = float(top["Execution Time"])
    return plan


def explain(
    conn: Connection,
    sql: str,
    params: Mapping[str, Any],
    *,
    analyze: bool = False,
    aliases: Mapping[str, str] | None = None,
) -> Plan:
    """EXPLAIN one statement (ANALYZE runs it; the caller's transaction is rolled back)."""
    options = "ANALYZE, FORMAT JSON" if analyze else "FORMAT JSON"
    raw = conn.execute(text(f"EXPLAIN ({options}) {sql}"), dict(params)).scalar()
    return parse(raw)


def read_rows(conn: Connection, tables: set[str]) -> dict[str, tuple[float | None, str | None]]:
    """Estimated rows and primary-key index of each of ``tables``."""
    return {
        str(r.table_name): (float(r.row_count), r.primary_index)
        for r in conn.exec_driver_sql(cat.sql("postgresql_rows")).all()
        if r.table_name in tables
    }
