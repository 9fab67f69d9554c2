"""Judge a finished run again, against the same or other thresholds (no load, no system).

``driftline stress judge runs/20261125T071500Z --thresholds stricter.yaml`` answers "would last
month's run pass this month's limits?" from ``run.json`` alone; it never rewrites the run.
"""

from __future__ import annotations

from pathlib import Path

from driftline.stress import rundir
from driftline.stress.generator import GeneratorHealth
from driftline.stress.reconcile import Reconciliation
from driftline.stress.result import RunResult, judged
from driftline.stress.stages import STAGE_ORDER
from driftline.stress.summary import StageFigures, Throughput
from driftline.stress.thresholds import load_thresholds


def rejudge(run_dir: str | Path, thresholds: str | Path | None = None) -> RunResult:
    """The verdict of the run in ``run_dir`` under ``thresholds`` (default: the run's own file)."""
    path = Path(run_dir)
    doc = rundir.read_run(path)
    run_path = path if path.is_dir() else path.parent
    thresholds_file = Path(thresholds or doc["config"]["thresholds_file"])
    not_observed = {str(k): str(v) for k, v in (doc.get("not_observed") or {}).items()}
    stage_order = tuple(doc.get("stage_order") or STAGE_ORDER)
    limits = load_thresholds(thresholds_file, stage_order)
    stages = {name: StageFigures.from_dict(fig) for name, fig in doc.get("stages", {}).items()}
    tp = doc.get("throughput", {})
    return judged(
        run_path,
        {**doc, "config": {**doc["config"], "thresholds_file": str(thresholds_file)}},
        thresholds=limits,
        thresholds_file=thresholds_file,
        stages=stages,
        throughput=Throughput(int(tp.get("tickets", 0)), float(tp.get("duration_s") or 0.0)),
        generator=GeneratorHealth.from_dict(doc.get("generator", {})),
        recon=Reconciliation.from_dict(doc.get("reconcile", {})),
        not_observed=not_observed,
    )
