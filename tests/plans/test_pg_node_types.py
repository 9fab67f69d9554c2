"""Every PostgreSQL node type, from a real statement on the real server, lands in its operation
class; sub/init plans survive wherever they hang; times add up as pev2 counts them.

Not produced here: ``Custom Scan`` (needs an extension providing one) and ``Named Tuplestore
Scan`` (only inside a trigger with transition tables); both are in ``NODE_OPS``.
"""

from __future__ import annotations

import json

import pytest

from driftline.db import make_engine
from driftline.plans import pgtext
from driftline.plans.model import ACCESS_OPS, Op
from driftline.plans.postgresql import NODE_OPS, parse
from driftline.scratch import scratch_database
from tests.conftest import require_server

SETUP = """
CREATE TABLE t (id int PRIMARY KEY, g int NOT NULL, w text NOT NULL);
INSERT INTO t SELECT i, mod(i, 100), md5(i::text) FROM generate_series(1, 20000) i;
CREATE INDEX t_g ON t (g);
CREATE INDEX t_w ON t (w);
CREATE TABLE p (id int NOT NULL, k int NOT NULL) PARTITION BY RANGE (id);
CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (1000);
CREATE TABLE p2 PARTITION OF p FOR VALUES FROM (1000) TO (2000);
INSERT INTO p SELECT i, mod(i, 7) FROM generate_series(0, 1999) i;
CREATE INDEX p_id ON p (id);
CREATE INDEX p_k ON p (k);
CREATE TABLE b2 (a int NOT NULL, b int NOT NULL, pad text NOT NULL);
INSERT INTO b2 SELECT mod(i, 100), mod(i, 97), repeat('x', 200) FROM generate_series(1, 50000) i;
CREATE INDEX b2_a ON b2 (a);
CREATE INDEX b2_b ON b2 (b);
CREATE EXTENSION file_fdw;
CREATE SERVER files FOREIGN DATA WRAPPER file_fdw;
CREATE FOREIGN TABLE ft (a int) SERVER files OPTIONS (filename '/dev/null');
"""
PARALLEL = (
    "parallel_setup_cost=0, parallel_tuple_cost=0, min_parallel_table_scan_size=0, "
    "max_parallel_workers_per_gather=2"
)
NO_HASH = "enable_hashjoin=off, enable_hashagg=off"

#: node type → (planner settings, statement whose plan has that node)
CASES: dict[str, tuple[str, str]] = {
    "Seq Scan": ("", "SELECT * FROM t WHERE length(w) > 3"),
    "Sample Scan": ("", "SELECT * FROM t TABLESAMPLE SYSTEM (10)"),
    "Index Scan": ("", "SELECT * FROM t WHERE id = 5"),
    "Index Only Scan": ("", "SELECT id FROM t WHERE id < 10"),
    "Bitmap Heap Scan": ("", "SELECT * FROM t WHERE g = 5"),
    "Bitmap Index Scan": ("", "SELECT * FROM t WHERE g = 5"),
    "BitmapOr": ("", "SELECT * FROM t WHERE g = 5 OR id < 10"),
    "BitmapAnd": ("enable_indexscan=off", "SELECT * FROM b2 WHERE a = 1 AND b = 1"),
    "Tid Scan": ("", "SELECT * FROM t WHERE ctid = '(0,1)'"),
    "Tid Range Scan": ("", "SELECT * FROM t WHERE ctid < '(1,0)'"),
    "Foreign Scan": ("", "SELECT * FROM ft"),
    "Nested Loop": (
        "enable_hashjoin=off, enable_mergejoin=off",
        "SELECT * FROM t a JOIN t b ON b.id = a.g WHERE a.id < 5",
    ),
    "Hash Join": ("", "SELECT * FROM t a JOIN t b ON a.w = b.w"),
    "Hash": ("", "SELECT * FROM t a JOIN t b ON a.w = b.w"),
    "Merge Join": (
        "enable_hashjoin=off, enable_nestloop=off",
        "SELECT * FROM t a JOIN t b ON a.id = b.id",
    ),
    "Sort": ("", "SELECT * FROM t ORDER BY md5(w)"),
    "Incremental Sort": ("", "SELECT * FROM t ORDER BY g, w LIMIT 10"),
    "Aggregate": ("", "SELECT count(*) FROM t"),
    "Group": (NO_HASH, "SELECT g FROM t GROUP BY g"),
    "Unique": (NO_HASH, "SELECT DISTINCT g FROM t"),
    "WindowAgg": ("", "SELECT id, row_number() OVER (ORDER BY id) FROM t"),
    "SetOp": ("", "SELECT g FROM t INTERSECT SELECT id FROM t"),
    "Recursive Union": (
        "",
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 9) "
        "SELECT * FROM r",
    ),
    "WorkTable Scan": (
        "",
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 9) "
        "SELECT * FROM r",
    ),
    "CTE Scan": ("", "WITH c AS MATERIALIZED (SELECT * FROM t) SELECT * FROM c"),
    "Append": ("", "SELECT * FROM p"),
    "Merge Append": ("", "SELECT * FROM p ORDER BY k LIMIT 10"),
    "Materialize": (
        "enable_hashjoin=off, enable_mergejoin=off, enable_memoize=off, enable_indexscan=off, "
        "enable_bitmapscan=off",
        "SELECT * FROM p a JOIN p b ON a.k < b.k WHERE a.id < 5",
    ),
    "Memoize": ("", "SELECT * FROM t a JOIN t b ON b.id = a.g"),
    "Subquery Scan": (
        "",
        "SELECT * FROM (SELECT id FROM t LIMIT 10) s WHERE s.id > random()",
    ),
    "Function Scan": ("", "SELECT * FROM generate_series(1, 10)"),
    "Table Function Scan": (
        "",
        "SELECT * FROM XMLTABLE('/a' PASSING (xml '<a><b>1</b></a>') COLUMNS b int)",
    ),
    "Values Scan": ("", "SELECT * FROM (VALUES (1), (2)) v(x)"),
    "ProjectSet": ("", "SELECT generate_series(1, 3)"),
    "Result": ("", "SELECT 1"),
    "Limit": ("", "SELECT * FROM t LIMIT 1"),
    "LockRows": ("", "SELECT * FROM t WHERE id = 1 FOR UPDATE"),
    "ModifyTable": ("", "UPDATE t SET w = w WHERE id = 1"),
    "Gather": (PARALLEL, "SELECT count(*) FROM t"),
    "Gather Merge": (PARALLEL, "SELECT * FROM t WHERE w > 'a' ORDER BY md5(w)"),
}
NOT_PRODUCED = {"Custom Scan", "Named Tuplestore Scan"}


@pytest.fixture(scope="module")
def engine():
    with scratch_database(require_server("postgresql"), prefix="dl_test") as url:
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql(SETUP)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
        yield engine
        engine.dispose()


def explain(engine, settings: str, sql: str, options: str = "FORMAT JSON") -> list | str:
    with engine.connect() as conn, conn.begin() as tx:
        for item in filter(None, settings.split(",")):
            conn.exec_driver_sql(f"SET LOCAL {item.strip()}")
        rows = conn.exec_driver_sql(f"EXPLAIN ({options}) {sql}").scalars().all()
        tx.rollback()
    if "FORMAT JSON" not in options:
        return "\n".join(rows)
    raw = rows[0]
    return raw if isinstance(raw, list) else json.loads(raw)


def conditions(node) -> dict[str, str]:
    """A node's conditions and keys (names of CTEs and functions are JSON-only)."""
    return {k: v for k, v in node.detail.items() if k.endswith(("Cond", "Filter", "Key"))}


def node_types(node: dict) -> set[str]:
    found = {node["Node Type"]}
    for child in node.get("Plans") or []:
        found |= node_types(child)
    return found


def test_every_node_type_is_classified():
    assert set(CASES) | NOT_PRODUCED == set(NODE_OPS)
    assert Op.OTHER not in NODE_OPS.values()


@pytest.mark.parametrize("kind", sorted(CASES))
def test_node_type_from_a_real_statement(engine, kind):
    settings, sql = CASES[kind]
    raw = explain(engine, settings, sql)
    assert kind in node_types(raw[0]["Plan"]), f"{sql} gave no {kind}"
    plan = parse(raw)
    ops = {n.op for n in plan.nodes()}
    assert Op.OTHER not in ops
    if NODE_OPS[kind] in ACCESS_OPS and kind not in ("Bitmap Index Scan", "BitmapAnd", "BitmapOr"):
        assert plan.access() and all(a.table for a in plan.access())
    if kind not in ("Hash", "Bitmap Index Scan", "BitmapAnd", "BitmapOr"):
        assert NODE_OPS[kind] in ops
    # The text format (auto_explain's default) reads as the same plan.
    text = pgtext.parse(explain(engine, settings, sql, "COSTS ON"))
    assert text.shape_hash() == plan.shape_hash(), kind
    assert [conditions(n) for n in text.nodes()] == [conditions(n) for n in plan.nodes()], kind
    assert text.cost == plan.cost


def test_text_labels_and_tables():
    raw = [{"Plan": {"Node Type": "Seq Scan", "Parallel Aware": True, "Relation Name": "t"}}]
    node = parse(raw).root
    assert (node.label, node.op, node.table) == ("Parallel Seq Scan", Op.FULL_SCAN, "t")


def test_init_plan_under_a_bitmap_scan_is_kept(engine):
    raw = explain(engine, "", "SELECT * FROM t WHERE g = (SELECT max(k) FROM p)")
    plan = parse(raw)
    bitmap = next(n for n in plan.nodes() if n.op is Op.BITMAP)
    assert bitmap.index == "t_g"
    subplans = [n for n in plan.nodes() if n.op is Op.SUBPLAN]
    assert subplans and subplans[0].label == "InitPlan"
    assert "p" in {a.table for a in plan.access()} or {"p1", "p2"} <= plan.tables()


def test_several_statements_keep_every_plan(engine):
    first = explain(engine, "", "SELECT * FROM t WHERE id = 1")
    second = explain(engine, "", "SELECT * FROM p WHERE id = 1500")
    plan = parse(json.dumps(first) + "\n" + json.dumps(second))
    assert plan.root.label == "Statements" and len(plan.root.children) == 2
    assert "t" in plan.tables() and "p2" in plan.tables()
    assert plan.cost == pytest.approx(
        first[0]["Plan"]["Total Cost"] + second[0]["Plan"]["Total Cost"]
    )


def test_parallel_times_are_counted_as_pev2_counts_them(engine):
    raw = explain(engine, PARALLEL, "SELECT count(*) FROM t", "ANALYZE, BUFFERS, FORMAT JSON")
    plan = parse(raw)
    total = plan.metrics["actual_ms"]
    scan = next(n for n in plan.nodes() if n.op is Op.FULL_SCAN)
    assert scan.label == "Parallel Seq Scan"
    assert scan.metrics["loops"] >= 1 and scan.metrics["actual_rows"] >= 0
    assert scan.metrics["shared_hit"] + scan.metrics.get("shared_read", 0) > 0
    for node in plan.nodes():
        # No node takes longer than the statement (node time x loops would, in parallel).
        assert node.metrics["time_ms"] <= total * 1.05 + 0.5, node
        assert 0 <= node.metrics["exclusive_ms"] <= node.metrics["time_ms"] + 1e-9
    exclusive = sum(n.metrics["exclusive_ms"] for n in plan.nodes())
    assert exclusive == pytest.approx(plan.root.metrics["time_ms"], rel=0.05, abs=0.5)
