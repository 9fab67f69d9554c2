"""Schema and index drift against committed baselines.

    from driftline.schema import inspect, load_baseline, diff_schemas, check
    findings = check("postgresql://…/tickets", "baselines/prod.postgresql.yaml")

Pipeline: ``inspect`` (a constant number of catalog queries, read-only) → ``Schema`` (the
dialect-neutral model, normalized with sqlglot) → ``diff_schemas`` (pure) → findings.
"""

from driftline.schema.baseline import Baseline, load_baseline, write_baseline
from driftline.schema.check import check, diff, snapshot
from driftline.schema.diff import diff_schemas
from driftline.schema.inspect import inspect
from driftline.schema.model import Column, ForeignKey, Index, Schema, Table

__all__ = [
    "Baseline",
    "Column",
    "ForeignKey",
    "Index",
    "Schema",
    "Table",
    "check",
    "diff",
    "diff_schemas",
    "inspect",
    "load_baseline",
    "snapshot",
    "write_baseline",
]
