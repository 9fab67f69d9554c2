"""Explain-plan baselines: capture, check and diff.

Data flows one way: a queries file, pg_stat_statements (:mod:`~driftline.plans.pgss`) or
auto_explain logs (:mod:`~driftline.plans.autoexplain`) → :func:`capture` (EXPLAIN per dialect,
read-only) → :class:`Capture` (saved as a ``kind: plans`` file) → :func:`compare` (pure; severity
from :mod:`~driftline.plans.evidence`) → findings.
"""

from driftline.plans.capture import Capture, capture, load_capture
from driftline.plans.check import CheckResult, check, diff
from driftline.plans.diff import compare, create_index_ddl
from driftline.plans.model import Access, Op, Plan, PlanNode
from driftline.plans.queries import Query, QueryFile, load_queries

__all__ = [
    "Access",
    "Capture",
    "CheckResult",
    "Op",
    "Plan",
    "PlanNode",
    "Query",
    "QueryFile",
    "capture",
    "check",
    "compare",
    "create_index_ddl",
    "diff",
    "load_capture",
    "load_queries",
]
