"""Plan regressions as a pure function: two captures in, findings out (no database).

Plans are aligned by table and operation, never by position. A changed plan is an error only with
evidence that it is worse (see :mod:`driftline.plans.evidence`):

* error — an index the baseline used no longer exists (the fix restores it); an expectation
  fails; a listed query has no baseline (``ci`` only); a changed plan measured slower
  (``plan.slower``) or estimated costlier on comparable statistics and settings (``plan.cost``);
  an index lookup that became a full scan on a critical or real-size table with any of that
  evidence (``plan.full_scan``);
* warning — the same suspicious changes without evidence either way (a full scan, index-only
  lost, a new sort, parallel lost), and an unchanged plan that became slower or costlier;
* info — the same changes measured no worse; a different index on the same table; bitmap vs
  index scan; another join method; any other change of shape; a query recorded for the first
  time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from driftline.findings import Finding, Severity
from driftline.plans.capture import Capture
from driftline.plans.catalog import Catalog, TableInfo, restore_sql
from driftline.plans.evidence import Evidence, Side, weigh
from driftline.plans.model import INDEXED_OPS, Access, Op, Plan
from driftline.plans.queries import Query

#: Builds the DDL that restores an index: (dialect, its table in the baseline, index name) → SQL.
DdlBuilder = Callable[[str, TableInfo, str], str]


def create_index_ddl(dialect: str, table: TableInfo, index: str) -> str:
    """The statement restoring a recorded index, rendered by the dialect's DDL renderer."""
    return restore_sql(dialect, table, index)


@dataclass(frozen=True)
class Pairing:
    """One table read of the baseline and its counterpart in the current plan."""

    table: str
    before: Access | None
    after: Access | None


def align(before: Plan, after: Plan) -> list[Pairing]:
    """Pair table reads by table, then identical access, then same index, then in order."""
    pairs: list[Pairing] = []
    tables = sorted(before.tables() | after.tables())
    for table in tables:
        left = [a for a in before.access() if a.table == table]
        right = [a for a in after.access() if a.table == table]
        for rule in (
            lambda x, y: x == y,
            lambda x, y: x.index is not None and x.index == y.index,
            lambda x, y: True,
        ):
            for b in list(left):
                match = next((a for a in right if rule(b, a)), None)
                if match is not None:
                    pairs.append(Pairing(table, b, match))
                    left.remove(b)
                    right.remove(match)
        pairs.extend(Pairing(table, b, None) for b in left)
        pairs.extend(Pairing(table, None, a) for a in right)
    return pairs


@dataclass
class _Context:
    query: Query
    label: str
    before: Capture
    after: Capture
    ddl: DdlBuilder

    def finding(
        self, severity: Severity, kind: str, message: str, fix: str | None = None, **details: object
    ) -> Finding:
        return Finding(
            severity,
            kind,
            f"query {self.label}",
            message,  # the object names the query
            fix=fix,
            file=self.after.queries_path,
            line=self.query.line if self.after.queries_path else None,
            source=self.after.source,
            details={"query": self.query.name, **details},
        )

    def sides(self) -> tuple[Side, Side]:
        return side(self.before), side(self.after)

    def real_size(self, tables: set[str]) -> bool:
        """Whether any of ``tables`` is critical or holds at least ``min_rows`` rows."""
        q = self.query
        if any(t in q.critical_tables for t in tables):
            return True
        if q.min_rows is None:
            return True
        return any((self.after.catalog.rows(t) or 0) >= q.min_rows for t in tables)

    def restore(self, index_name: str | None) -> str | None:
        """DDL restoring ``index_name`` when the current database lacks it."""
        if not index_name:
            return None
        known = self.before.catalog.locate(index_name)
        if known is None or self.after.catalog.locate(index_name) is not None:
            return None
        if known.name not in self.after.catalog.tables:
            return None
        return self.ddl(self.after.dialect, known, index_name)


def side(capture: Capture) -> Side:
    rows = {name: info.rows for name, info in capture.catalog.tables.items()}
    return Side(capture.dialect, capture.server_version, capture.settings, rows)


def _graded(evidence: Evidence | None) -> Severity:
    """A suspicious change: info when measured no worse, error when shown worse, else warning."""
    if evidence is not None and evidence.no_worse:
        return Severity.INFO
    if evidence is not None and evidence.worse:
        return Severity.ERROR
    return Severity.WARNING


def _rows_text(catalog: Catalog, table: str) -> str:
    rows = catalog.rows(table)
    return "unknown rows" if rows is None else f"{int(rows):,} rows"


def _access_findings(
    ctx: _Context, before: Plan, after: Plan, evidence: Evidence | None, lost: set[str]
) -> list[Finding]:
    found: list[Finding] = []
    q = ctx.query
    for pair in align(before, after):
        b, a = pair.before, pair.after
        if b is None or a is None or b == a:
            continue
        table = pair.table
        if b.op in INDEXED_OPS and a.op is Op.FULL_SCAN:
            rows = ctx.after.catalog.rows(table)
            critical = table in q.critical_tables
            big = q.min_rows is None or (rows is not None and rows >= q.min_rows)
            why = "critical" if critical else f"{_rows_text(ctx.after.catalog, table)}"
            message = (
                f"{b.op.value} on {table}"
                f"{' via ' + b.index if b.index else ''} became a full scan ({why})"
            )
            fix = ctx.restore(b.index)
            if critical or big:
                if table in lost:
                    severity, why = Severity.ERROR, "an index it used is gone"
                    if evidence is not None and evidence.worse:
                        why += f"; {evidence.reason}"
                else:
                    severity = _graded(evidence)
                    why = evidence.reason if evidence else "no evidence either way"
                found.append(
                    ctx.finding(
                        severity,
                        "plan.full_scan",
                        f"{message}; {why}",
                        fix or f"ANALYZE the table and check the indexes of {table}",
                        table=table,
                        index=b.index,
                    )
                )
            else:
                found.append(
                    ctx.finding(
                        Severity.INFO,
                        "plan.full_scan_small",
                        f"{message}; below min_rows {q.min_rows:,}",
                        table=table,
                    )
                )
        elif b.op is Op.INDEX_ONLY and a.op is Op.INDEX_SCAN:
            found.append(
                ctx.finding(
                    min(_graded(evidence), Severity.WARNING),
                    "plan.index_only_lost",
                    f"index-only scan on {table} via {b.index} became an index scan via {a.index}",
                    table=table,
                )
            )
        elif {b.op, a.op} == {Op.BITMAP, Op.INDEX_SCAN} and b.index == a.index:
            found.append(
                ctx.finding(
                    Severity.INFO,
                    "plan.bitmap_switch",
                    f"{b.op.value} on {table} became {a.op.value} (index {a.index})",
                    table=table,
                )
            )
        elif b.op in INDEXED_OPS and a.op in INDEXED_OPS and b.index != a.index:
            found.append(
                ctx.finding(
                    Severity.INFO,
                    "plan.index_changed",
                    f"{table} is read via {a.index} ({a.op.value}) instead of {b.index} "
                    f"({b.op.value})",
                    table=table,
                )
            )
        else:
            found.append(
                ctx.finding(
                    Severity.INFO,
                    "plan.access_changed",
                    f"{b or 'nothing'} became {a or 'nothing'}",
                    table=table,
                )
            )
    return found


def _missing_indexes(ctx: _Context, before: Plan) -> list[Finding]:
    found = []
    for name in sorted(before.index_names()):
        ddl = ctx.restore(name)
        if ddl is None:
            continue
        info = ctx.before.catalog.locate(name)
        assert info is not None
        found.append(
            ctx.finding(
                Severity.ERROR,
                "plan.index_missing",
                f"index {name} on {info.name} ({', '.join(info.key_columns(name))}), used by the "
                "baseline plan, no longer exists",
                ddl,
                table=info.name,
                index=name,
            )
        )
    return found


def _expectations(ctx: _Context, after: Plan) -> list[Finding]:
    found = []
    expect = ctx.query.expect
    # MySQL and MariaDB compare index names without regard to case (RT: Transactions1)
    used = {name.lower() for name in after.index_names()}
    if expect.indexes and not {name.lower() for name in expect.indexes} & used:
        reads = ", ".join(str(a) for a in after.access()) or "no table reads"
        wanted = " or ".join(expect.indexes)
        found.append(
            ctx.finding(
                Severity.ERROR,
                "plan.expectation",
                f"expected to use index {wanted}, but the plan does {reads}",
                ctx.restore(expect.must_use_index),
                index=expect.must_use_index,
            )
        )
    cost = after.cost
    if expect.max_cost is not None and cost is not None and cost > expect.max_cost:
        found.append(
            ctx.finding(
                Severity.ERROR,
                "plan.expectation",
                f"cost {cost:,.1f} exceeds max_cost {expect.max_cost:,.1f}",
            )
        )
    return found


def compare_plans(ctx: _Context, before: Plan, after: Plan) -> list[Finding]:
    """Findings for one query and parameter set."""
    found = _missing_indexes(ctx, before)
    lost = {str(f.details["table"]) for f in found}
    changed = before.shape_hash() != after.shape_hash()
    tables = before.tables() | after.tables()
    evidence = weigh(before, after, ctx.sides(), ctx.real_size(tables))
    judged = evidence if changed else None
    found += _access_findings(ctx, before, after, judged, lost)
    found += _expectations(ctx, after)
    suspicious = min(_graded(judged), Severity.WARNING)
    new_sorts = after.count(Op.SORT) - before.count(Op.SORT)
    if new_sorts > 0:
        found.append(
            ctx.finding(
                suspicious,
                "plan.new_sort",
                f"{new_sorts} new sort/temp B-tree/filesort step(s)",
            )
        )
    if before.count(Op.GATHER) and not after.count(Op.GATHER):
        found.append(ctx.finding(suspicious, "plan.parallel_lost", "parallel became serial"))
    if evidence.worse and not any(evidence.reason in f.message for f in found):
        kind = "plan.slower" if evidence.basis == "time" else "plan.cost"
        severity = Severity.ERROR if changed else Severity.WARNING
        what = "the plan changed" if changed else "same plan"
        found.append(ctx.finding(severity, kind, f"{what}; {evidence.reason}"))
    if before.join_methods() != after.join_methods():
        found.append(
            ctx.finding(
                Severity.INFO,
                "plan.join_changed",
                f"join method {', '.join(before.join_methods()) or 'none'} became "
                f"{', '.join(after.join_methods()) or 'none'}",
            )
        )
    if not found and changed:
        note = f"; {evidence.reason}" if evidence.basis == "time" else ""
        found.append(
            ctx.finding(
                Severity.INFO,
                "plan.shape_changed",
                f"plan shape changed ({before.shape_hash()} → {after.shape_hash()}){note}",
            )
        )
    return found


def compare(
    before: Capture,
    after: Capture,
    *,
    ci: bool = False,
    ddl: DdlBuilder = create_index_ddl,
) -> list[Finding]:
    """Findings of ``after`` (current) against ``before`` (baseline), per query and param set."""
    findings: list[Finding] = []
    for name, current in after.queries.items():
        baseline = before.queries.get(name)
        for i, plan in enumerate(current.plans):
            label = name if len(current.plans) == 1 else f"{name}[{i}]"
            ctx = _Context(current.query, label, before, after, ddl)
            base_plan = None
            if baseline is not None and i < len(baseline.plans):
                base_plan = baseline.plans[i]
            if base_plan is None:
                if ci:
                    findings.append(
                        ctx.finding(
                            Severity.ERROR,
                            "plan.no_baseline",
                            "no baseline plan (capture one with `driftline plan capture`)",
                        )
                    )
                else:
                    findings.append(
                        ctx.finding(
                            Severity.INFO,
                            "plan.recorded",
                            "no baseline plan yet; recorded this one as the baseline",
                        )
                    )
                    findings += _expectations(ctx, plan)
                continue
            findings += compare_plans(ctx, base_plan, plan)
        if baseline is not None and baseline.query.sql_for(before.dialect) != current.query.sql_for(
            after.dialect
        ):
            findings.append(
                _Context(current.query, name, before, after, ddl).finding(
                    Severity.INFO,
                    "plan.sql_changed",
                    "SQL differs from the baseline's; recapture the baseline once reviewed",
                )
            )
    for name in before.queries:
        if name not in after.queries:
            findings.append(
                Finding(
                    Severity.INFO,
                    "plan.query_removed",
                    f"query {name}",
                    "in the baseline but no longer listed",
                    source=after.source,
                )
            )
    return findings


def small_tables(capture: Capture) -> list[Finding]:
    """Info per query whose tables hold fewer rows than its ``min_rows``: tiny tables always
    full-scan, so such plans say little about production."""
    found = []
    for name, qp in capture.queries.items():
        q = qp.query
        if q.min_rows is None:
            continue
        tables = sorted(set(q.critical_tables) | {t for p in qp.plans for t in p.tables()})
        small = [
            f"{t} ({int(rows):,} rows)"
            for t in tables
            if (rows := capture.catalog.rows(t)) is not None and rows < q.min_rows
        ]
        if small:
            found.append(
                Finding(
                    Severity.INFO,
                    "plan.small_tables",
                    f"query {name}",
                    f"{', '.join(small)} below min_rows {q.min_rows:,}; plans of tiny "
                    "tables are not production-like (seed more data)",
                    file=capture.queries_path,
                    line=q.line if capture.queries_path else None,
                    source=capture.source,
                )
            )
    return found
