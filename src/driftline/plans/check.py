"""``plan check`` and ``plan diff`` as library calls: load or capture each side, then compare."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from driftline.db import Timeouts
from driftline.errors import UsageError
from driftline.findings import Finding
from driftline.plans.capture import Capture, capture, load_capture
from driftline.plans.diff import compare, create_index_ddl, small_tables
from driftline.plans.queries import QueryFile, load_queries
from driftline.plans.record import merge_new, recorded
from driftline.plans.schema_ddl import schema_baseline_ddl


@dataclass
class CheckResult:
    baseline: Capture
    current: Capture
    findings: list[Finding]
    recorded: bool

    @property
    def title(self) -> str:
        return f"{self.current.source} against {self.baseline.path}"


def check(
    db: str,
    baseline: str | Path,
    *,
    queries: str | Path | None = None,
    ci: bool = False,
    schema_baseline: str | Path | None = None,
    analyze: bool = False,
    runs: int = 1,
    timeouts: Timeouts | None = None,
) -> CheckResult:
    """Capture ``db`` with the baseline's (or the given) queries and compare.

    Outside ``ci``, a listed query without a baseline plan is recorded into the baseline file.
    """
    base = load_capture(baseline)
    query_file: QueryFile = load_queries(queries) if queries else base.query_file()
    current = capture(
        db,
        query_file,
        analyze=analyze,
        runs=runs,
        timeouts=timeouts,
        extra_tables=set(base.catalog.tables),
    )
    if current.dialect != base.dialect:
        raise UsageError(
            f"{baseline} holds {base.dialect} plans; {current.source} is {current.dialect}"
        )
    ddl = schema_baseline_ddl(schema_baseline) if schema_baseline else create_index_ddl
    findings = compare(base, current, ci=ci, ddl=ddl) + small_tables(current)
    wrote = False
    if not ci and recorded(findings):
        merge_new(base, current).save(baseline)
        wrote = True
    return CheckResult(base, current, findings, wrote)


def _is_capture_file(side: str) -> bool:
    return side.endswith((".yaml", ".yml")) and "://" not in side


def diff(
    a: str,
    b: str,
    *,
    queries: str | Path | None = None,
    analyze: bool = False,
    runs: int = 1,
    timeouts: Timeouts | None = None,
) -> tuple[Capture, Capture, list[Finding]]:
    """Each side a database URL or a capture file; databases are captured with the queries
    file, or else with the queries embedded in the other side's capture file (``analyze``:
    timed, the median of ``runs``)."""
    loaded = {side: load_capture(side) for side in (a, b) if _is_capture_file(side)}
    if queries:
        query_file: QueryFile | None = load_queries(queries)
    elif loaded:
        query_file = next(iter(loaded.values())).query_file()
    else:
        query_file = None
    sides = []
    for side in (a, b):
        if side in loaded:
            sides.append(loaded[side])
        elif query_file is None:
            raise UsageError("two databases need --queries FILE to know what to explain")
        else:
            sides.append(capture(side, query_file, analyze=analyze, runs=runs, timeouts=timeouts))
    before, after = sides
    return before, after, compare(before, after)
