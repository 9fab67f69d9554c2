"""Recording plans a baseline lacks: outside ``--ci``, ``plan check`` adds every listed query (or
parameter set) that has no baseline plan yet to the baseline file."""

from __future__ import annotations

from collections.abc import Sequence

from driftline.findings import Finding
from driftline.plans.capture import Capture
from driftline.plans.catalog import Catalog


def merge_new(baseline: Capture, current: Capture) -> Capture:
    """The baseline plus every query (or parameter set) it lacked, taken from ``current``."""
    queries = dict(baseline.queries)
    for name, qp in current.queries.items():
        old = queries.get(name)
        if old is None:
            queries[name] = qp
        elif len(old.plans) < len(qp.plans):
            queries[name] = type(qp)(qp.query, [*old.plans, *qp.plans[len(old.plans) :]])
    tables = dict(baseline.catalog.tables)
    for table, info in current.catalog.tables.items():
        tables.setdefault(table, info)
    merged = Capture(
        dialect=baseline.dialect,
        server_version=baseline.server_version,
        source=baseline.source,
        queries=queries,
        catalog=Catalog(dict(sorted(tables.items()))),
        captured_at=baseline.captured_at,
        analyze=baseline.analyze,
        metadata=baseline.metadata,
        path=baseline.path,
        queries_path=baseline.queries_path,
        settings=baseline.settings,
    )
    return merged


def recorded(findings: Sequence[Finding]) -> bool:
    return any(f.kind == "plan.recorded" for f in findings)
