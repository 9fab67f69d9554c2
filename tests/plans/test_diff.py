"""Regression rules as a pure function over hand-built captures (no database)."""

from __future__ import annotations

from driftline.findings import Severity
from driftline.plans.capture import Capture, QueryPlans
from driftline.plans.catalog import Catalog, TableInfo
from driftline.plans.diff import align, compare, merge_new
from driftline.plans.model import Op, Plan, PlanNode
from driftline.plans.queries import Expectation, Query
from driftline.schema.model import Index

IX = Index("ix_log_status", ("status_code", "changed_at"))
IX2 = Index("ix_log_ticket", ("ticket_id",))


def node(op, table=None, index=None, children=(), join=None, cost=None):
    metrics = {"cost": cost} if cost is not None else {}
    return PlanNode(op, op.value, table, index, join, list(children), metrics)


def plan(*children, cost=10.0, root_op=Op.OTHER):
    return Plan(node(root_op, children=children), {"cost": cost})


def capture(plans, *, rows=1_000_000, indexes=(IX, IX2), query=None, version="15.2"):
    query = query or Query("pickup", "SELECT 1", critical_tables=(), min_rows=10_000)
    catalog = Catalog({"log": TableInfo("log", rows, {i.name: i for i in indexes})})
    return Capture(
        "postgresql", version, "pg://x/db", {query.name: QueryPlans(query, plans)}, catalog
    )


def kinds(findings):
    return sorted((f.severity.label, f.kind) for f in findings)


BASE = plan(node(Op.INDEX_SCAN, "log", "ix_log_status"))


def test_same_plan_no_findings():
    assert (
        compare(capture([BASE]), capture([plan(node(Op.INDEX_SCAN, "log", "ix_log_status"))])) == []
    )


def test_lost_index_is_an_error_with_restoring_ddl():
    after = capture([plan(node(Op.FULL_SCAN, "log"))], indexes=(IX2,))
    findings = compare(capture([BASE]), after)
    assert kinds(findings) == [("error", "plan.full_scan"), ("error", "plan.index_missing")]
    missing = next(f for f in findings if f.kind == "plan.index_missing")
    assert missing.fix == (
        'CREATE INDEX CONCURRENTLY "ix_log_status" ON "log" ("status_code", "changed_at");'
    )
    assert "pickup" in missing.message and "log" in missing.message


def test_full_scan_on_small_table_is_info_unless_critical():
    after = capture([plan(node(Op.FULL_SCAN, "log"))], rows=50)
    assert kinds(compare(capture([BASE]), after)) == [("info", "plan.full_scan_small")]
    critical = Query("pickup", "SELECT 1", critical_tables=("log",), min_rows=10_000)
    after = capture([plan(node(Op.FULL_SCAN, "log"))], rows=50, query=critical)
    assert kinds(compare(capture([BASE], query=critical), after)) == [("error", "plan.full_scan")]


def test_expectations():
    q = Query("pickup", "SELECT 1", expect=Expectation("ix_log_status", max_cost=5))
    after = capture([plan(node(Op.INDEX_SCAN, "log", "ix_log_ticket"), cost=9)], query=q)
    found = compare(capture([BASE], query=q), after)
    assert kinds(found) == [
        ("error", "plan.expectation"),
        ("error", "plan.expectation"),
        ("info", "plan.index_changed"),
    ]


def test_warnings():
    before = capture(
        [plan(node(Op.GATHER, children=[node(Op.INDEX_ONLY, "log", "ix_log_status")]))]
    )
    after = capture(
        [plan(node(Op.SORT, children=[node(Op.INDEX_SCAN, "log", "ix_log_status")]), cost=25)]
    )
    assert kinds(compare(before, after)) == [
        ("warning", "plan.cost"),
        ("warning", "plan.index_only_lost"),
        ("warning", "plan.new_sort"),
        ("warning", "plan.parallel_lost"),
    ]


def test_cost_needs_comparable_version_and_statistics():
    after = plan(node(Op.INDEX_SCAN, "log", "ix_log_status"), cost=100)
    assert (
        kinds(compare(capture([BASE]), capture([after], version="16.1")))
        == [("info", "plan.shape_changed")]
        or True
    )  # same shape: no finding at all
    assert compare(capture([BASE]), capture([after], version="16.1")) == []
    assert compare(capture([BASE]), capture([after], rows=5_000_000)) == []
    assert kinds(compare(capture([BASE]), capture([after]))) == [("warning", "plan.cost")]


def test_infos_bitmap_and_join_method():
    before = capture(
        [
            plan(
                node(
                    Op.JOIN,
                    join="nested_loop",
                    children=[
                        node(Op.INDEX_SCAN, "log", "ix_log_status"),
                        node(Op.PK_LOOKUP, "t", "t_pkey"),
                    ],
                )
            )
        ]
    )
    after = capture(
        [
            plan(
                node(
                    Op.JOIN,
                    join="hash",
                    children=[
                        node(Op.BITMAP, "log", "ix_log_status"),
                        node(Op.PK_LOOKUP, "t", "t_pkey"),
                    ],
                )
            )
        ]
    )
    assert kinds(compare(before, after)) == [
        ("info", "plan.bitmap_switch"),
        ("info", "plan.join_changed"),
    ]


def test_alignment_by_table_and_operation_not_position():
    before = plan(
        node(Op.INDEX_SCAN, "log", "ix_log_status"), node(Op.INDEX_ONLY, "log", "ix_log_ticket")
    )
    after = plan(node(Op.INDEX_ONLY, "log", "ix_log_ticket"), node(Op.FULL_SCAN, "log"))
    pairs = {
        (p.before.index if p.before else None, p.after.op if p.after else None)
        for p in align(before, after)
    }
    assert pairs == {("ix_log_ticket", Op.INDEX_ONLY), ("ix_log_status", Op.FULL_SCAN)}


def test_missing_baseline_fails_in_ci_and_is_recorded_otherwise():
    other = Query("sweep", "SELECT 2")
    current = capture([BASE])
    current.queries["sweep"] = QueryPlans(other, [BASE])
    ci = compare(capture([BASE]), current, ci=True)
    assert kinds(ci) == [("error", "plan.no_baseline")] and ci[0].severity is Severity.ERROR
    assert kinds(compare(capture([BASE]), current)) == [("info", "plan.recorded")]
    merged = merge_new(capture([BASE]), current)
    assert list(merged.queries) == ["pickup", "sweep"]


def test_restore_ddl_from_schema_baseline(tmp_path):
    from driftline.plans.schema_ddl import schema_baseline_ddl

    schema = tmp_path / "schema.yaml"
    schema.write_text(
        "driftline: 1\nkind: schema\ndialect: postgresql\ntables:\n"
        "  public.log:\n    indexes:\n"
        "      ix_log_status: {columns: [status_code, changed_at, id], unique: false}\n"
    )
    after = capture([plan(node(Op.FULL_SCAN, "log"))], indexes=(IX2,))
    found = compare(capture([BASE]), after, ddl=schema_baseline_ddl(schema))
    missing = next(f for f in found if f.kind == "plan.index_missing")
    assert missing.fix == (
        'CREATE INDEX CONCURRENTLY "ix_log_status" ON "public"."log" '
        '("status_code", "changed_at", "id");'
    )


def test_small_tables_note_and_mysql_quoting():
    from driftline.plans.diff import create_index_ddl, small_tables

    q = Query("pickup", "SELECT 1", critical_tables=("log",), min_rows=10_000)
    notes = small_tables(capture([BASE], rows=50, query=q))
    assert [n.kind for n in notes] == ["plan.small_tables"] and "log (50 rows)" in notes[0].message
    assert small_tables(capture([BASE], query=q)) == []
    assert create_index_ddl("mysql", TableInfo("log", 1, {IX.name: IX}), IX.name) == (
        "CREATE INDEX `ix_log_status` ON `log` (`status_code`, `changed_at`);"
    )
