"""The link stress test: stages, histograms, thresholds, the Locust runner and reconciliation.

Public API (the CLI ``driftline stress run|judge`` is a thin layer over it)::

    from driftline.stress import StressOptions, run_stress
    result = run_stress(StressOptions(users=100, duration_s=60, db="postgresql://…"))
    result.verdict, result.exit_code, result.run_dir     # "pass" | "fail" | "inconclusive"

Inside a locustfile use :mod:`driftline.stress.locust_plugin` and :mod:`driftline.stress.steps`
(they import Locust; nothing else here does).
"""

from driftline.stress.histogram import StageHistograms
from driftline.stress.judge import rejudge
from driftline.stress.result import RunResult
from driftline.stress.rundir import read_histograms, read_run
from driftline.stress.runner import LiveStatus, StressOptions, run_stress
from driftline.stress.stages import STAGE_ORDER
from driftline.stress.thresholds import Thresholds, load_thresholds, parse_thresholds

__all__ = [
    "STAGE_ORDER",
    "LiveStatus",
    "RunResult",
    "StageHistograms",
    "StressOptions",
    "Thresholds",
    "load_thresholds",
    "parse_thresholds",
    "read_histograms",
    "read_run",
    "rejudge",
    "run_stress",
]
