"""PostgreSQL: ``EXPLAIN (FORMAT JSON)`` into the plan model.

Every node type of PostgreSQL 13-17 maps onto an operation class (``NODE_OPS``; a test runs one
real statement per type). A Bitmap Heap Scan and its Bitmap Index Scans (under BitmapAnd/BitmapOr
too) merge into one ``bitmap`` node; a Hash node folds into its Hash Join; SubPlans and InitPlans
become ``subplan`` nodes wherever they hang, under a bitmap scan too. Index scans through a
primary-key index become ``pk_lookup`` once the catalog is known (see :meth:`Plan.mark_primary`).
A document of several statements keeps every plan, under one ``Statements`` root.

Per node the metrics keep the estimate (``cost``, ``rows`` per loop) and, from EXPLAIN ANALYZE,
``actual_rows`` (per loop), ``loops``, ``ms_per_loop``, ``time_ms`` (the node's whole time) and
``exclusive_ms`` (without its children), counted as pev2 counts them: a node inside a parallel
section runs in every worker, so its time summed over loops is divided by the workers planned
plus the leader; InitPlans run once, outside their parent's time. BUFFERS add ``shared_hit``,
``shared_read``, ``temp_read`` and ``temp_written`` (blocks).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from driftline.plans import catalog as cat
from driftline.plans.model import Op, Plan, PlanNode

#: Every node type EXPLAIN prints (src/backend/commands/explain.c), by operation class.
NODE_OPS: dict[str, Op] = {
    "Seq Scan": Op.FULL_SCAN,
    "Sample Scan": Op.FULL_SCAN,
    "Index Scan": Op.INDEX_SCAN,
    "Index Only Scan": Op.INDEX_ONLY,
    "Bitmap Heap Scan": Op.BITMAP,
    "Bitmap Index Scan": Op.BITMAP,
    "BitmapAnd": Op.BITMAP,
    "BitmapOr": Op.BITMAP,
    "Tid Scan": Op.ROW_ADDRESS,
    "Tid Range Scan": Op.ROW_ADDRESS,
    "Foreign Scan": Op.FOREIGN,
    "Nested Loop": Op.JOIN,
    "Hash Join": Op.JOIN,
    "Merge Join": Op.JOIN,
    "Hash": Op.JOIN,
    "Sort": Op.SORT,
    "Incremental Sort": Op.SORT,
    "Aggregate": Op.AGGREGATE,
    "Group": Op.AGGREGATE,
    "Unique": Op.AGGREGATE,
    "WindowAgg": Op.AGGREGATE,
    "SetOp": Op.SET_OP,
    "Recursive Union": Op.SET_OP,
    "Append": Op.APPEND,
    "Merge Append": Op.APPEND,
    "Materialize": Op.MATERIALIZE,
    "Memoize": Op.MATERIALIZE,
    "CTE Scan": Op.MATERIALIZE,
    "Subquery Scan": Op.SUBQUERY,
    "WorkTable Scan": Op.SUBQUERY,
    "Named Tuplestore Scan": Op.SUBQUERY,
    "Function Scan": Op.FUNCTION,
    "Table Function Scan": Op.FUNCTION,
    "Values Scan": Op.FUNCTION,
    "ProjectSet": Op.FUNCTION,
    "Result": Op.RESULT,
    "Limit": Op.LIMIT,
    "LockRows": Op.LOCK,
    "ModifyTable": Op.MODIFY,
    "Gather": Op.GATHER,
    "Gather Merge": Op.GATHER,
    "Custom Scan": Op.CUSTOM,
}
_JOINS = {"Nested Loop": "nested_loop", "Hash Join": "hash", "Merge Join": "merge"}
#: Conditions and keys of a node, as EXPLAIN prints them (text and JSON alike).
CONDITIONS = (
    "Index Cond",
    "Recheck Cond",
    "TID Cond",
    "Filter",
    "Join Filter",
    "Hash Cond",
    "Merge Cond",
    "One-Time Filter",
    "Sort Key",
    "Group Key",
    "Cache Key",
)
#: Details kept per node from JSON plans: the conditions and what names the node.
_DETAIL = (
    *CONDITIONS,
    "Subplan Name",
    "CTE Name",
    "Function Name",
    "Operation",
    "Custom Plan Provider",
    "Scan Direction",
)
_BUFFERS = {
    "Shared Hit Blocks": "shared_hit",
    "Shared Read Blocks": "shared_read",
    "Temp Read Blocks": "temp_read",
    "Temp Written Blocks": "temp_written",
}
_SUBPLANS = ("SubPlan", "InitPlan")


def _metrics(node: Mapping[str, Any], workers: int) -> dict[str, float]:
    found: dict[str, float] = {}
    if "Total Cost" in node:
        found["cost"] = float(node["Total Cost"])
    if "Plan Rows" in node:
        found["rows"] = float(node["Plan Rows"])
    if "Actual Total Time" in node:
        loops = float(node.get("Actual Loops") or 0)
        found["loops"] = loops
        found["ms_per_loop"] = float(node["Actual Total Time"])
        found["time_ms"] = float(node["Actual Total Time"]) * loops / (workers + 1)
        found["actual_rows"] = float(node.get("Actual Rows") or 0)
    elif "Actual Loops" in node:  # ANALYZE without TIMING
        found["loops"] = float(node["Actual Loops"])
        found["actual_rows"] = float(node.get("Actual Rows") or 0)
    for key, name in _BUFFERS.items():
        if node.get(key):
            found[name] = float(node[key])
    if node.get("Rows Removed by Filter"):
        found["rows_removed"] = float(node["Rows Removed by Filter"])
    return found


def _detail(node: Mapping[str, Any]) -> dict[str, str]:
    found = {}
    for key in _DETAIL:
        value = node.get(key)
        if value is None or value == "":
            continue
        found[key] = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return found


def _bitmap_parts(node: Mapping[str, Any]) -> tuple[list[str], list[Mapping[str, Any]]]:
    """The index names of a bitmap subtree, and the sub/init plans hanging anywhere in it."""
    names: list[str] = []
    subplans: list[Mapping[str, Any]] = []
    for child in node.get("Plans") or []:
        if str(child.get("Parent Relationship", "")) in _SUBPLANS:
            subplans.append(child)
            continue
        if child.get("Node Type") == "Bitmap Index Scan" and child.get("Index Name"):
            names.append(str(child["Index Name"]))
        more_names, more_subplans = _bitmap_parts(child)
        names += more_names
        subplans += more_subplans
    return names, subplans


def _label(raw: Mapping[str, Any], kind: str) -> str:
    if raw.get("Parallel Aware"):
        return f"Parallel {kind}"
    if kind == "ModifyTable" and raw.get("Operation"):
        return str(raw["Operation"])
    if kind in ("Aggregate", "SetOp") and raw.get("Strategy") in ("Hashed", "Sorted", "Mixed"):
        return f"{'Hash' if raw['Strategy'] == 'Hashed' else raw['Strategy']} {kind}"
    return kind


def _node(raw: Mapping[str, Any], workers: int = 0) -> PlanNode:
    kind = str(raw.get("Node Type", "?"))
    gather = kind in ("Gather", "Gather Merge")
    inner = int(raw.get("Workers Planned") or 0) if gather else workers
    children_raw = list(raw.get("Plans") or [])
    if kind == "Hash" and len(children_raw) == 1:
        return _node(children_raw[0], inner)
    node = PlanNode(
        op=NODE_OPS.get(kind, Op.OTHER),
        label=_label(raw, kind),
        table=raw.get("Relation Name"),
        index=raw.get("Index Name"),
        join=_JOINS.get(kind),
        metrics=_metrics(raw, workers),
        detail=_detail(raw),
    )
    if kind == "Bitmap Heap Scan":
        names, children_raw = _bitmap_parts(raw)
        node.index = "+".join(sorted(set(names))) or None
    inside = 0.0
    for child in children_raw:
        parsed = _node(child, inner)
        relation = str(child.get("Parent Relationship", ""))
        if relation != "InitPlan":
            inside += parsed.metrics.get("time_ms", 0.0)
        if relation in _SUBPLANS:
            parsed = PlanNode(Op.SUBPLAN, relation, children=[parsed])
            name = child.get("Subplan Name")
            if name:
                parsed.detail["Subplan Name"] = str(name)
        node.children.append(parsed)
    if "time_ms" in node.metrics:
        node.metrics["exclusive_ms"] = max(0.0, node.metrics["time_ms"] - inside)
    return node


def _statement(top: Mapping[str, Any]) -> Plan:
    plan = Plan(_node(top["Plan"]))
    plan.metrics = {k: v for k, v in plan.root.metrics.items() if k in ("cost", "rows")}
    if "Execution Time" in top:
        plan.metrics["actual_ms"] = float(top["Execution Time"])
    if "Planning Time" in top:
        plan.metrics["planning_ms"] = float(top["Planning Time"])
    return plan


def parse(document: str | list | Mapping[str, Any]) -> Plan:
    """Parse EXPLAIN (FORMAT JSON) output: the JSON text or the decoded value.

    Several statements (a JSON list of plans, or several JSON documents one after another) become
    one plan whose ``Statements`` root holds each statement's plan; costs and times add up."""
    if isinstance(document, str):
        decoder, found, at = json.JSONDecoder(), [], 0
        while at < len(document.rstrip()):
            while document[at].isspace():
                at += 1
            value, at = decoder.raw_decode(document, at)
            found.extend(value if isinstance(value, list) else [value])
        tops = found
    else:
        tops = list(document) if isinstance(document, list) else [document]
    plans = [_statement(top) for top in tops]
    if len(plans) == 1:
        return plans[0]
    root = PlanNode(Op.OTHER, "Statements", children=[p.root for p in plans])
    totals: dict[str, float] = {}
    for p in plans:
        for key, value in p.metrics.items():
            totals[key] = totals.get(key, 0.0) + value
    return Plan(root, totals)


def explain(
    conn: Connection,
    sql: str,
    params: Mapping[str, Any],
    *,
    analyze: bool = False,
    aliases: Mapping[str, str] | None = None,
) -> Plan:
    """EXPLAIN one statement (ANALYZE runs it; the caller's transaction is rolled back)."""
    options = "ANALYZE, BUFFERS, FORMAT JSON" if analyze else "FORMAT JSON"
    raw = conn.execute(text(f"EXPLAIN ({options}) {sql}"), dict(params)).scalar()
    return parse(raw)


def read_rows(conn: Connection, tables: set[str]) -> dict[str, tuple[float | None, str | None]]:
    """Estimated rows and primary-key index of each of ``tables``."""
    return {
        str(r.table_name): (float(r.row_count), r.primary_index)
        for r in conn.exec_driver_sql(cat.sql("postgresql_rows")).all()
        if r.table_name in tables
    }


#: Settings that change the planner's cost estimates (``enable_*`` only restrict its choices).
COST_SETTINGS = (
    "cpu_index_tuple_cost",
    "cpu_operator_cost",
    "cpu_tuple_cost",
    "effective_cache_size",
    "parallel_setup_cost",
    "parallel_tuple_cost",
    "random_page_cost",
    "seq_page_cost",
)


def planner_settings(conn: Connection) -> dict[str, str]:
    """The session's planner cost settings, as ``SHOW`` prints them."""
    rows = conn.execute(
        text("SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(:names)"),
        {"names": list(COST_SETTINGS)},
    ).all()
    return {str(name): str(value) for name, value in sorted(rows)}


def explain_generic(conn: Connection, sql: str) -> Any:
    """The generic plan of a statement with ``$n`` parameters (see :mod:`driftline.plans.pgss`)."""
    from driftline.plans.pgss import explain_generic as generic

    return generic(conn, sql)
