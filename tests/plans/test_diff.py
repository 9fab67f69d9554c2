"""Regression rules as a pure function over hand-built captures (no database)."""

from __future__ import annotations

from driftline.findings import Severity
from driftline.plans.capture import Capture, QueryPlans
from driftline.plans.catalog import Catalog, TableInfo
from driftline.plans.diff import align, compare
from driftline.plans.model import Op, Plan, PlanNode
from driftline.plans.queries import Expectation, Query
from driftline.plans.record import merge_new
from driftline.schema.model import Index

IX = Index("ix_log_status", ("status_code", "changed_at"))
IX2 = Index("ix_log_ticket", ("ticket_id",))


def node(op, table=None, index=None, children=(), join=None, cost=None):
    metrics = {"cost": cost} if cost is not None else {}
    return PlanNode(op, op.value, table, index, join, list(children), metrics)


def plan(*children, cost=10.0, root_op=Op.OTHER, ms=None):
    metrics = {"cost": cost} if ms is None else {"cost": cost, "actual_ms": ms}
    return Plan(node(root_op, children=children), metrics)


def capture(plans, *, rows=1_000_000, indexes=(IX, IX2), query=None, version="15.2", settings=None):
    query = query or Query("pickup", "SELECT 1", critical_tables=(), min_rows=10_000)
    catalog = Catalog({"log": TableInfo("log", rows, {i.name: i for i in indexes})})
    return Capture(
        "postgresql",
        version,
        "pg://x/db",
        {query.name: QueryPlans(query, plans)},
        catalog,
        settings=settings or {"random_page_cost": "4"},
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
    assert missing.object == "query pickup" and "log" in missing.message
    assert "pickup" not in missing.message  # the object names the query, once


def test_full_scan_on_small_table_is_info_unless_critical():
    after = capture([plan(node(Op.FULL_SCAN, "log"))], rows=50)
    assert kinds(compare(capture([BASE]), after)) == [("info", "plan.full_scan_small")]
    critical = Query("pickup", "SELECT 1", critical_tables=("log",), min_rows=10_000)
    after = capture([plan(node(Op.FULL_SCAN, "log"), cost=500)], rows=50, query=critical)
    # Critical, but no evidence it is worse (the row counts are not comparable): a warning.
    assert kinds(compare(capture([BASE], query=critical), after)) == [("warning", "plan.full_scan")]


def test_full_scan_is_an_error_only_with_evidence():
    scan = node(Op.FULL_SCAN, "log")
    # Estimated: cost beyond 2x on comparable statistics and settings.
    found = compare(capture([BASE]), capture([plan(scan, cost=500)]))
    assert kinds(found) == [("error", "plan.full_scan")]
    assert "estimated cost 10.0 → 500.0 (50.0x" in found[0].message
    # Different cost settings: the estimates prove nothing.
    other = capture([plan(scan, cost=500)], settings={"random_page_cost": "1.1"})
    found = compare(capture([BASE]), other)
    assert kinds(found) == [("warning", "plan.full_scan")]
    assert "random_page_cost 4 → 1.1" in found[0].message
    # Within the factor: no evidence either way.
    assert kinds(compare(capture([BASE]), capture([plan(scan, cost=15)]))) == [
        ("warning", "plan.full_scan")
    ]


def test_measured_time_beats_estimates():
    base = capture([plan(node(Op.INDEX_SCAN, "log", "ix_log_status"), ms=30.0)])
    scan = node(Op.FULL_SCAN, "log")
    faster = capture([plan(scan, cost=500, ms=10.0)])
    found = compare(base, faster)
    assert kinds(found) == [("info", "plan.full_scan")] and "(faster)" in found[0].message
    slower = capture([plan(scan, cost=11, ms=46.0)], settings={"random_page_cost": "1"})
    assert kinds(compare(base, slower)) == [("error", "plan.full_scan")]
    # Below the absolute floor, 3x slower is noise.
    quick = capture([plan(node(Op.INDEX_SCAN, "log", "ix_log_status"), ms=0.2)])
    assert kinds(compare(quick, capture([plan(scan, cost=500, ms=0.6)]))) == [
        ("info", "plan.full_scan")
    ]


def test_lost_index_makes_the_full_scan_an_error_whatever_the_cost():
    after = capture([plan(node(Op.FULL_SCAN, "log"), ms=1.0)], indexes=(IX2,))
    before = capture([plan(node(Op.INDEX_SCAN, "log", "ix_log_status"), ms=5.0)])
    assert kinds(compare(before, after)) == [
        ("error", "plan.full_scan"),
        ("error", "plan.index_missing"),
    ]


def test_expectations():
    q = Query("pickup", "SELECT 1", expect=Expectation("ix_log_status", max_cost=5))
    after = capture([plan(node(Op.INDEX_SCAN, "log", "ix_log_ticket"), cost=9)], query=q)
    found = compare(capture([BASE], query=q), after)
    assert kinds(found) == [
        ("error", "plan.expectation"),
        ("error", "plan.expectation"),
        ("info", "plan.index_changed"),
    ]
    either = Query(
        "pickup", "SELECT 1", expect=Expectation("ix_log_status", None, ("ix_log_ticket",))
    )
    after = capture([plan(node(Op.INDEX_SCAN, "log", "ix_log_ticket"))], query=either)
    assert kinds(compare(capture([BASE], query=either), after)) == [("info", "plan.index_changed")]
    after = capture([plan(node(Op.FULL_SCAN, "log"))], query=either)
    missed = [f for f in compare(capture([BASE], query=either), after) if f.kind.endswith("tion")]
    assert "ix_log_status or ix_log_ticket" in missed[0].message


def test_warnings_without_evidence_and_info_when_measured_no_worse():
    before = [plan(node(Op.GATHER, children=[node(Op.INDEX_ONLY, "log", "ix_log_status")]))]
    after = [plan(node(Op.SORT, children=[node(Op.INDEX_SCAN, "log", "ix_log_status")]), cost=15)]
    assert kinds(compare(capture(before), capture(after))) == [
        ("warning", "plan.index_only_lost"),
        ("warning", "plan.new_sort"),
        ("warning", "plan.parallel_lost"),
    ]
    for p, ms in ((before[0], 20.0), (after[0], 21.0)):
        p.metrics["actual_ms"] = ms
    assert kinds(compare(capture(before), capture(after))) == [
        ("info", "plan.index_only_lost"),
        ("info", "plan.new_sort"),
        ("info", "plan.parallel_lost"),
    ]
    after[0].metrics["actual_ms"] = 45.0
    assert kinds(compare(capture(before), capture(after))) == [
        ("error", "plan.slower"),
        ("warning", "plan.index_only_lost"),
        ("warning", "plan.new_sort"),
        ("warning", "plan.parallel_lost"),
    ]


def test_cost_needs_comparable_version_and_statistics():
    after = plan(node(Op.INDEX_SCAN, "log", "ix_log_status"), cost=100)
    assert compare(capture([BASE]), capture([after], version="16.1")) == []
    assert compare(capture([BASE]), capture([after], rows=5_000_000)) == []
    # The same plan, costlier: a warning (the plan did not change; the data did).
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
