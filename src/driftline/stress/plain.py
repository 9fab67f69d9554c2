"""``run.json`` for a plain Locust run (``locust -f scenarios/...`` without ``driftline stress
run``), so that ``driftline report`` and ``driftline stress judge`` accept its run directory.

The Locust master has written the stage outputs (histograms, samples, ledger); this adds the
stage figures, the thresholds' verdicts (the system adapter's thresholds, else the default
file) and the summaries. Nothing looked the tickets up, so reconciliation is *not checked* —
said as such, never counted as passed; ``driftline stress run`` is what reconciles.
"""

from __future__ import annotations

import importlib.metadata
import platform
import socket
from pathlib import Path
from typing import Any

from driftline import __version__
from driftline.stress import rundir
from driftline.stress.generator import GeneratorHealth
from driftline.stress.reconcile import NOT_CHECKED, Reconciliation
from driftline.stress.result import RunResult, judged, locust_counts, write_summaries
from driftline.stress.summary import Throughput, stage_figures
from driftline.stress.thresholds import load_thresholds


def write_plain_run(
    run_dir: str | Path,
    *,
    system: str = "refsys",
    system_file: str | None = None,
    thresholds: str | Path | None = None,
    host: str | None = None,
    users: int | None = None,
    cpu_warning: bool = False,
) -> RunResult:
    """Judge the stage outputs in ``run_dir`` and write ``run.json`` and the summaries."""
    from driftline.stress.runner import default_thresholds
    from driftline.systems.load import load_system

    path = Path(run_dir)
    adapter = load_system(system_file or system)
    thresholds_path = Path(thresholds) if thresholds else default_thresholds(adapter)
    limits = load_thresholds(thresholds_path, adapter.stage_names)
    side = rundir.read_locust_side(path)
    ledger, create_failures = rundir.read_ledger(path)
    samples = list(rundir.iter_samples(path))
    not_observed = side.not_observed or adapter.not_observed
    order = side.stage_order or adapter.stage_names
    stages = stage_figures(samples, side.deadlines_ms, [s for s in order if s not in not_observed])
    duration = side.load_duration_s or 0.0
    throughput = Throughput(len(ledger), duration)
    recon = Reconciliation(
        created=len(ledger), create_failures=dict(create_failures), source=NOT_CHECKED
    )
    generator = GeneratorHealth.from_samples({}, cpu_warning)
    started = side.started_at or side.epoch
    ended = side.stopping_at or side.stopped_at or started
    try:
        locust_version = importlib.metadata.version("locust")
    except importlib.metadata.PackageNotFoundError:
        locust_version = None
    doc: dict[str, Any] = {
        "driftline": 1,
        "kind": "stress-run",
        "id": path.name,
        "started_at": rundir.iso(started),
        "ended_at": rundir.iso(ended),
        "duration_s": round(duration, 3),
        "config": {
            "users": users,
            "system": adapter.name,
            "system_file": adapter.source,
            "target": host,
            "db": None,
            "thresholds_file": str(thresholds_path),
            "scenario": "plain Locust run",
        },
        "environment": {
            "hostname": socket.gethostname(),
            "python": platform.python_version(),
            "locust": locust_version,
            "driftline": __version__,
        },
        "generator": generator.to_dict(),
        "stage_order": list(order),
        "not_observed": dict(not_observed),
        "stages": {name: fig.to_dict() for name, fig in stages.items()},
        "throughput": throughput.to_dict(),
        "reconcile": recon.to_dict(),
        "workers": {},
        "locust": locust_counts(side.status),
    }
    result = judged(
        path,
        doc,
        thresholds=limits,
        thresholds_file=thresholds_path,
        stages=stages,
        throughput=throughput,
        generator=generator,
        recon=recon,
        not_observed=not_observed,
    )
    rundir.write_run(path, result.document)
    write_summaries(result)
    return result
