"""MySQL and MariaDB: ``EXPLAIN FORMAT=JSON`` into the plan model.

Three layouts are read:

* MySQL's classic layout (``explain_json_format_version=1``): ``query_block`` with
  ``nested_loop`` arrays, ``ordering_operation``/``grouping_operation`` and ``cost_info``;
* MySQL 8.3+'s iterator layout (``explain_json_format_version=2``): one object per iterator with
  ``access_type``, ``operation`` and ``inputs``;
* MariaDB's layout: ``query_block`` with ``filesort``, ``temporary_table``, ``block-nl-join``,
  ``materialized``, ``subqueries`` — and objects that repeat a key (several ``table`` members in
  one object), so the JSON is decoded with every duplicate kept (:func:`loads_pairs`).

``table_name`` is the alias; it goes through the query's alias map.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from driftline.plans import catalog as cat
from driftline.plans.model import ACCESS_OPS, Op, Plan, PlanNode, wrap


class Pairs(list):
    """A JSON object as its ordered ``(key, value)`` pairs, duplicate keys kept."""

    def get(self, key: str, default: Any = None) -> Any:
        for k, v in self:
            if k == key:
                return v
        return default

    def __contains__(self, key: object) -> bool:
        return any(k == key for k, _ in self)


def loads_pairs(document: str) -> Any:
    """``json.loads`` keeping MariaDB's repeated keys (every object becomes :class:`Pairs`)."""
    return json.loads(document, object_pairs_hook=Pairs)


def _pairs(value: Any) -> Pairs:
    if isinstance(value, Pairs):
        return value
    if isinstance(value, Mapping):
        return Pairs(value.items())
    return Pairs()


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


# --- classic layout (MySQL v1) and MariaDB ----------------------------------------------------

_KEYED_ACCESS = {
    "range",
    "ref",
    "eq_ref",
    "const",
    "system",
    "ref_or_null",
    "unique_subquery",
    "index_subquery",
    "fulltext",
    "index",
}
_SUBQUERY_KEYS = {
    "subqueries",
    "attached_subqueries",
    "optimized_away_subqueries",
    "select_list_subqueries",
    "having_subqueries",
    "order_by_subqueries",
    "group_by_subqueries",
}
_MATERIALIZE_KEYS = {"materialized", "materialized_from_subquery"}
_SCALARS = (str, int, float, bool, type(None))


def _merge_indexes(value: Any) -> list[str]:
    """Index names inside an ``index_merge`` member (MariaDB) or ``key: sort_union(a,b)``."""
    names: list[str] = []
    if isinstance(value, Pairs):
        for key, item in value:
            if key == "key" and isinstance(item, str):
                names.append(item)
            else:
                names.extend(_merge_indexes(item))
    elif _is_array(value):
        for item in value:
            names.extend(_merge_indexes(item))
    return names


def _table(raw: Pairs, aliases: Mapping[str, str]) -> PlanNode:
    alias = str(raw.get("table_name", "?"))
    access = str(raw.get("access_type", "?"))
    key = raw.get("key")
    node = PlanNode(Op.OTHER, access, table=aliases.get(alias, alias))
    if access == "ALL":
        node.op = Op.FULL_SCAN
    elif access == "index_merge":
        names = _merge_indexes(raw.get("index_merge"))
        if not names and isinstance(key, str) and "(" in key:
            names = [n.strip() for n in key.split("(", 1)[1].rstrip(")").split(",")]
        node.op, node.index = Op.BITMAP, "+".join(sorted(set(names))) or None
    elif access in _KEYED_ACCESS and isinstance(key, str):
        node.index = key
        if key == "PRIMARY":
            node.op = Op.PK_LOOKUP
        elif raw.get("using_index") is True:
            node.op = Op.INDEX_ONLY
        else:
            node.op = Op.INDEX_SCAN
    rows = _number(raw.get("rows"))
    if rows is not None:
        node.metrics["rows"] = rows
    cost = _number(_pairs(raw.get("cost_info")).get("prefix_cost")) or _number(raw.get("cost"))
    if cost is not None:
        node.metrics["cost"] = cost
    if "r_rows" in raw and _number(raw.get("r_rows")) is not None:
        node.metrics["actual_rows"] = _number(raw.get("r_rows")) or 0.0
    if _number(raw.get("r_total_time_ms")) is not None:
        node.metrics["actual_ms"] = _number(raw.get("r_total_time_ms")) or 0.0
    for member, value in raw:
        node.children.extend(_member(member, value, aliases))
    return node


def _join_method(items: list[PlanNode], hints: list[str]) -> str:
    if "hash" in hints:
        return "hash"
    if "block_nested_loop" in hints:
        return "block_nested_loop"
    return "nested_loop"


def _join_hint(value: Any) -> list[str]:
    hints = []
    for member, item in _pairs(value):
        if member == "block-nl-join":
            kind = str(_pairs(item).get("join_type", "BNL")).upper()
            hints.append("hash" if kind.startswith("BNLH") else "block_nested_loop")
        elif member == "table":
            buffer = str(_pairs(item).get("using_join_buffer", "")).lower()
            if "hash" in buffer:
                hints.append("hash")
            elif buffer:
                hints.append("block_nested_loop")
    return hints


def _nested_loop(items: list, aliases: Mapping[str, str]) -> list[PlanNode]:
    nodes: list[PlanNode] = []
    hints: list[str] = []
    for item in items:
        nodes.extend(_walk(item, aliases))
        hints.extend(_join_hint(item))
    reads = [n for n in nodes if n.op in ACCESS_OPS or n.op is Op.SORT or n.table]
    if len(reads) > 1:
        return [PlanNode(Op.JOIN, "nested_loop", join=_join_method(nodes, hints), children=nodes)]
    return nodes


def _member(key: str, value: Any, aliases: Mapping[str, str]) -> list[PlanNode]:
    """Plan nodes for one member of a classic/MariaDB object."""
    if isinstance(value, _SCALARS):
        if key in ("using_filesort",) and value is True:
            return [PlanNode(Op.SORT, "filesort")]
        if key == "using_temporary_table" and value is True:
            return [PlanNode(Op.SORT, "temporary_table")]
        return []
    if key == "table":
        return [_table(_pairs(value), aliases)]
    if key == "nested_loop" and _is_array(value):
        return _nested_loop(value, aliases)
    if key == "block-nl-join":
        return _walk(value, aliases)
    if key in ("filesort", "temporary_table"):
        return [PlanNode(Op.SORT, key, children=_walk(value, aliases))]
    if key in ("ordering_operation", "grouping_operation", "duplicates_removal"):
        op = Op.AGGREGATE if key == "grouping_operation" else Op.OTHER
        return [PlanNode(op, key, children=_walk(value, aliases))]
    if key in _MATERIALIZE_KEYS:
        return [PlanNode(Op.MATERIALIZE, key, children=_walk(value, aliases))]
    if key in _SUBQUERY_KEYS:
        items = value if _is_array(value) else [value]
        return [PlanNode(Op.SUBPLAN, "subquery", children=_walk(item, aliases)) for item in items]
    if key in ("union_result", "query_specifications") and isinstance(value, Pairs | list):
        children = _walk(value, aliases)
        return (
            [PlanNode(Op.OTHER, "union", children=children)]
            if key == "union_result"
            else (children)
        )
    if key in ("index_merge", "cost_info", "possible_keys", "used_key_parts", "ref", "r_loops"):
        return []
    return _walk(value, aliases)


def _is_array(value: Any) -> bool:
    return isinstance(value, list) and not isinstance(value, Pairs)


def _walk(value: Any, aliases: Mapping[str, str]) -> list[PlanNode]:
    if _is_array(value):
        nodes: list[PlanNode] = []
        for item in value:
            nodes.extend(_walk(item, aliases))
        return nodes
    if isinstance(value, Pairs | Mapping):
        nodes = []
        for key, item in _pairs(value):
            nodes.extend(_member(key, item, aliases))
        return nodes
    return []


def _parse_classic(data: Pairs, aliases: Mapping[str, str]) -> Plan:
    block = _pairs(data.get("query_block"))
    root = wrap(_walk(data, aliases), "query_block")
    plan = Plan(root)
    cost = _number(_pairs(block.get("cost_info")).get("query_cost")) or _number(block.get("cost"))
    if cost is not None:
        plan.metrics["cost"] = cost
    if _number(block.get("r_total_time_ms")) is not None:
        plan.metrics["actual_ms"] = _number(block.get("r_total_time_ms")) or 0.0
    return plan


# --- iterator layout (MySQL 8.3+, explain_json_format_version=2) ------------------------------

_V2_OPS = {
    "join": Op.JOIN,
    "sort": Op.SORT,
    "aggregate": Op.AGGREGATE,
    "temp_table_aggregate": Op.AGGREGATE,
    "materialize": Op.MATERIALIZE,
    "materialize_information_schema": Op.MATERIALIZE,
    "rowid_intersection": Op.BITMAP,
    "rowid_union": Op.BITMAP,
    "index_merge": Op.BITMAP,
}


def _v2_node(raw: Pairs, aliases: Mapping[str, str]) -> PlanNode:
    access = str(raw.get("access_type", "?"))
    table_name = raw.get("table_name")
    alias = raw.get("alias") or table_name
    table = aliases.get(str(alias), str(table_name)) if table_name else None
    node = PlanNode(_V2_OPS.get(access, Op.OTHER), access, table=table)
    if access == "table":
        node.op = Op.FULL_SCAN
    elif access == "index":
        node.index = raw.get("index_name")
        node.label = f"index/{raw.get('index_access_type', 'lookup')}"
        if node.index == "PRIMARY":
            node.op = Op.PK_LOOKUP
        elif raw.get("covering") is True:
            node.op = Op.INDEX_ONLY
        else:
            node.op = Op.INDEX_SCAN
    elif access == "join":
        algorithm = str(raw.get("join_algorithm", "nested_loop"))
        node.join = "hash" if "hash" in algorithm else algorithm
    for source, target in (
        ("estimated_total_cost", "cost"),
        ("estimated_rows", "rows"),
        ("actual_last_row_ms", "actual_ms"),
        ("actual_rows", "actual_rows"),
    ):
        number = _number(raw.get(source))
        if number is not None:
            node.metrics[target] = number
    for item in raw.get("inputs") or []:
        child = _v2_node(_pairs(item), aliases)
        if _pairs(item).get("subquery") is True:
            child = PlanNode(Op.SUBPLAN, "subquery", children=[child])
        node.children.append(child)
    if node.op is Op.BITMAP:
        names = sorted({n.index for n in node.walk() if n is not node and n.index})
        tables = sorted({n.table for n in node.walk() if n.table})
        node.index, node.table = "+".join(names) or None, tables[0] if tables else None
        node.children = []
    return node


def _parse_v2(data: Pairs, aliases: Mapping[str, str]) -> Plan:
    plan = Plan(_v2_node(data, aliases))
    for key in ("cost", "rows", "actual_ms"):
        if key in plan.root.metrics:
            plan.metrics[key] = plan.root.metrics[key]
    return plan


def parse(document: str | Mapping[str, Any], aliases: Mapping[str, str] | None = None) -> Plan:
    """Parse any of the three JSON layouts (text is decoded keeping repeated keys)."""
    data = loads_pairs(document) if isinstance(document, str) else _deep_pairs(document)
    aliases = aliases or {}
    if "query_block" in data:
        return _parse_classic(data, aliases)
    if "access_type" in data or "operation" in data:
        return _parse_v2(data, aliases)
    raise ValueError("not a MySQL/MariaDB EXPLAIN FORMAT=JSON document")


def _deep_pairs(value: Any) -> Any:
    if isinstance(value, Mapping):
        return Pairs((k, _deep_pairs(v)) for k, v in value.items())
    if isinstance(value, list):
        return [_deep_pairs(v) for v in value]
    return value


def explain(
    conn: Connection,
    sql: str,
    params: Mapping[str, Any],
    *,
    analyze: bool = False,
    aliases: Mapping[str, str] | None = None,
) -> Plan:
    """EXPLAIN FORMAT=JSON. With ``analyze``: MariaDB's ``ANALYZE FORMAT=JSON``; on MySQL the
    statement runs once and is timed (MySQL's EXPLAIN ANALYZE has no JSON before 8.3)."""
    if analyze and conn.dialect.is_mariadb:
        raw = conn.execute(text(f"ANALYZE FORMAT=JSON {sql}"), dict(params)).scalar()
        return parse(str(raw), aliases)
    raw = conn.execute(text(f"EXPLAIN FORMAT=JSON {sql}"), dict(params)).scalar()
    plan = parse(str(raw), aliases)
    if analyze:
        started = time.perf_counter()
        result = conn.execute(text(sql), dict(params))
        count = len(result.all()) if result.returns_rows else result.rowcount
        plan.metrics["actual_ms"] = (time.perf_counter() - started) * 1000
        plan.metrics["actual_rows"] = float(count)
    return plan


def read_rows(conn: Connection, tables: set[str]) -> dict[str, tuple[float | None, str | None]]:
    """Estimated rows and primary-key index of each of ``tables``."""
    return {
        str(r.table_name): (float(r.row_count or 0), r.primary_index)
        for r in conn.exec_driver_sql(cat.sql("mysql_rows")).all()
        if r.table_name in tables
    }


def planner_settings(conn: Connection) -> dict[str, str]:
    """No cost settings are compared on this dialect: its estimates are not costs to compare."""
    return {}
