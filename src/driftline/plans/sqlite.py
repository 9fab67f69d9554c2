"""SQLite: ``EXPLAIN QUERY PLAN`` rows into the plan model.

The rows ``(id, parent, notused, detail)`` form a tree; each detail line is classified
(``SCAN t``, ``SEARCH t USING COVERING INDEX ix (…)``, ``USE TEMP B-TREE FOR ORDER BY``, …).
SQLite prints aliases, so table names go through the query's alias map. Sibling table reads are
a nested-loop join. ``MULTI-INDEX OR`` and its index searches merge into one ``bitmap`` node.

Plans are read on a fresh connection without a statement cache (see :func:`make_engine`): a
cached prepared statement can keep reporting an index that has been dropped.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from driftline.db import describe
from driftline.db import make_engine as _make_engine
from driftline.errors import ConnectionFailed
from driftline.plans import catalog as cat
from driftline.plans.model import ACCESS_OPS, Op, Plan, PlanNode, wrap

_ACCESS = re.compile(
    r"^(?P<verb>SCAN|SEARCH)\s+(?:TABLE\s+)?(?P<name>\S+)(?:\s+AS\s+(?P<alias>\S+))?"
    r"(?:\s+USING\s+(?P<how>AUTOMATIC (?:PARTIAL )?COVERING INDEX|AUTOMATIC (?:PARTIAL )?INDEX|"
    r"COVERING INDEX|INDEX|INTEGER PRIMARY KEY|PRIMARY KEY)(?:\s+(?P<index>[^\s(]+))?)?"
)
_OTHERS: tuple[tuple[str, Op], ...] = (
    ("USE TEMP B-TREE", Op.SORT),
    ("CORRELATED SCALAR SUBQUERY", Op.SUBPLAN),
    ("SCALAR SUBQUERY", Op.SUBPLAN),
    ("CORRELATED LIST SUBQUERY", Op.SUBPLAN),
    ("LIST SUBQUERY", Op.SUBPLAN),
    ("MATERIALIZE", Op.MATERIALIZE),
    ("CO-ROUTINE", Op.MATERIALIZE),
)


def _classify(detail: str, aliases: Mapping[str, str]) -> PlanNode:
    match = _ACCESS.match(detail)
    if match and match["name"] != "CONSTANT":
        name = match["name"]
        table = aliases.get(match["alias"] or name, name)
        how = match["how"] or ""
        index = match["index"]
        if not how:
            op = Op.FULL_SCAN
        elif how.startswith("AUTOMATIC"):
            # An automatic index is built by scanning the whole table for this one statement.
            op, index = Op.FULL_SCAN, None
        elif "PRIMARY KEY" in how:
            op, index = Op.PK_LOOKUP, index if how == "PRIMARY KEY" else None
        elif how.startswith("COVERING"):
            op = Op.INDEX_ONLY
        else:
            op = Op.INDEX_SCAN
        label = f"{match['verb']}{' ' + how if how else ''}"
        return PlanNode(op, label, table=table, index=index)
    for prefix, op in _OTHERS:
        if detail.startswith(prefix):
            label = "USE TEMP B-TREE" if op is Op.SORT else prefix
            return PlanNode(op, label)
    if detail.startswith("MULTI-INDEX OR"):
        return PlanNode(Op.BITMAP, "MULTI-INDEX OR")
    return PlanNode(Op.OTHER, re.sub(r"\s+\d+$", "", detail.split(" (")[0]))


def _merge_multi_index(node: PlanNode) -> None:
    if node.op is Op.BITMAP and node.label == "MULTI-INDEX OR":
        reads = [n for n in node.walk() if n is not node and n.op in ACCESS_OPS]
        tables = sorted({n.table for n in reads if n.table})
        node.table = tables[0] if tables else None
        node.index = "+".join(sorted({n.index or "rowid" for n in reads})) or None
        node.children = []
    for child in node.children:
        _merge_multi_index(child)


def _group_joins(node: PlanNode) -> None:
    """Consecutive sibling table reads are SQLite's nested loop."""
    for child in node.children:
        _group_joins(child)
    grouped: list[PlanNode] = []
    run: list[PlanNode] = []
    for child in [*node.children, None]:
        if child is not None and child.op in ACCESS_OPS:
            run.append(child)
            continue
        if len(run) > 1:
            grouped.append(PlanNode(Op.JOIN, "NESTED LOOP", join="nested_loop", children=run))
        else:
            grouped.extend(run)
        run = []
        if child is not None:
            grouped.append(child)
    node.children = grouped


def parse(rows: str | Sequence[Sequence[Any]], aliases: Mapping[str, str] | None = None) -> Plan:
    """Parse EXPLAIN QUERY PLAN rows (or their JSON list form)."""
    items = json.loads(rows) if isinstance(rows, str) else rows
    aliases = aliases or {}
    root = PlanNode(Op.OTHER, "QUERY PLAN")
    nodes: dict[int, PlanNode] = {0: root}
    for row in items:
        node_id, parent, detail = int(row[0]), int(row[1]), str(row[3])
        node = _classify(detail, aliases)
        nodes.get(parent, root).children.append(node)
        nodes[node_id] = node
    _merge_multi_index(root)
    _group_joins(root)
    return Plan(wrap(root.children, "QUERY PLAN") if root.children else root)


def make_engine(url: str | sa.URL) -> Engine:
    """A fresh connection per use (no pool) and no prepared-statement cache.

    A missing file is an error, not a new empty database."""
    parsed = sa.make_url(url) if isinstance(url, str) else url
    database = parsed.database or ""
    if database not in ("", ":memory:") and not Path(database).exists():
        raise ConnectionFailed(f"cannot open {describe(parsed)}: no such SQLite file")
    return _make_engine(
        parsed,
        poolclass=sa.pool.NullPool,
        connect_args={"timeout": 5, "check_same_thread": False, "cached_statements": 0},
    )


def explain(
    conn: Connection,
    sql: str,
    params: Mapping[str, Any],
    *,
    analyze: bool = False,
    aliases: Mapping[str, str] | None = None,
) -> Plan:
    """EXPLAIN QUERY PLAN; with ``analyze`` the statement also runs once and is timed."""
    rows = conn.execute(text(f"EXPLAIN QUERY PLAN {sql}"), dict(params)).all()
    plan = parse(rows, aliases)
    if analyze:
        started = time.perf_counter()
        result = conn.execute(text(sql), dict(params))
        count = len(result.all()) if result.returns_rows else result.rowcount
        plan.metrics["actual_ms"] = (time.perf_counter() - started) * 1000
        plan.metrics["actual_rows"] = float(count)
    return plan


def _quote(name: str) -> str:
    from driftline import dialects

    return dialects.SQLITE.quote(name)


def read_rows(conn: Connection, tables: set[str]) -> dict[str, tuple[float | None, str | None]]:
    """Rows (counted: SQLite keeps no estimate) and primary-key index of each of ``tables``."""
    out: dict[str, tuple[float | None, str | None]] = {}
    for r in conn.exec_driver_sql(cat.sql("sqlite_tables")).all():
        if r.table_name in tables:
            count = conn.exec_driver_sql(f"SELECT COUNT(*) FROM {_quote(r.table_name)}").scalar()
            out[str(r.table_name)] = (float(count), r.primary_index)
    return out


def planner_settings(conn: Connection) -> dict[str, str]:
    """No cost settings are compared on this dialect: its estimates are not costs to compare."""
    return {}
