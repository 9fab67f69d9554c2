"""Synthetic run directories for the report tests and benchmark (no Locust, no server)."""

from __future__ import annotations

import csv
import gzip
import json
import random
from pathlib import Path
from typing import Any

from driftline.stress.histogram import StageHistograms
from driftline.stress.stages import Sample
from driftline.stress.summary import stage_figures

STAGES = ("create", "dispatch", "alert", "respond", "resolve", "followup", "reopen")
DEADLINES_MS = {
    "create": 2000,
    "dispatch": 10000,
    "alert": 60000,
    "respond": 5000,
    "resolve": 8000,
    "followup": 4000,
    "reopen": 3000,
}
BASE_MS = {
    "create": 60,
    "dispatch": 400,
    "alert": 900,
    "respond": 700,
    "resolve": 500,
    "followup": 250,
    "reopen": 300,
}


def latency(rng: random.Random, stage: str, frac: float, slow: str | None, factor: float) -> float:
    """Log-normal around the stage's base; the ``slow`` stage grows by ``factor`` over the run."""
    base = BASE_MS[stage]
    if stage == slow:
        base *= 1 + (factor - 1) * frac
    return rng.lognormvariate(0, 0.35) * base


def make_run(
    root: Path,
    *,
    run_id: str = "20261125T071500Z",
    samples: int = 7000,
    duration_s: float = 300.0,
    slow: str | None = "dispatch",
    factor: float = 20.0,
    seed: int = 7,
    findings: list[dict[str, Any]] | None = None,
    ticket_ids: list[str] | None = None,
    write_samples: bool = True,
    write_histograms: bool = True,
) -> Path:
    """A run directory with ``samples`` stage samples over ``duration_s``; ``slow`` slows down."""
    rng = random.Random(seed)
    run_dir = root / run_id
    run_dir.mkdir(parents=True)
    hists = StageHistograms(slice_s=5.0)
    rows = []
    samples_seen: list[Sample] = []
    per_ticket = len(STAGES)
    tickets = max(1, samples // per_ticket)
    for i in range(tickets):
        t0 = duration_s * i / tickets
        frac = t0 / duration_s
        ticket = ticket_ids[i % len(ticket_ids)] if ticket_ids else str(1000 + i)
        for stage in STAGES:
            ms = latency(rng, stage, frac, slow, factor)
            ok = ms <= DEADLINES_MS[stage]
            hists.record(stage, t0, ms, ok)
            samples_seen.append(Sample(ticket, stage, t0, ms, ok, "" if ok else "deadline"))
            if write_samples:
                rows.append(
                    (
                        ticket,
                        stage,
                        round(t0, 3),
                        round(ms, 3),
                        1 if ok else 0,
                        "" if ok else "deadline",
                    )
                )
    totals = {s: h.total() for s, h in hists.stages.items()}
    run = {
        "driftline": 1,
        "kind": "stress-run",
        "id": run_id,
        "started_at": "2026-11-25T07:15:00.000000Z",
        "ended_at": "2026-11-25T07:20:00.000000Z",
        "duration_s": duration_s,
        "config": {"users": 100, "target": "http://127.0.0.1:8123", "db": "sqlite"},
        "environment": {"hostname": "test", "dialect": "sqlite", "driftline": "0.1.0"},
        "generator": {"cpu_percent_max": 45.0, "saturated": False},
        "stage_order": list(STAGES),
        "stages": {
            s: fig.to_dict()
            for s, fig in stage_figures(samples_seen, DEADLINES_MS).items()
            if s in STAGES
        },
        "throughput": {"tickets": tickets, "tickets_per_s": round(tickets / duration_s, 2)},
        "verdicts": [
            {
                "stage": "dispatch",
                "metric": "p95_ms",
                "limit": 2000,
                "actual": totals["dispatch"].quantile(0.95),
                "passed": False,
                "message": "dispatch p95 over 2000 ms",
            }
        ],
        "verdict": "fail",
        "findings": findings or [],
    }
    (run_dir / "run.json").write_text(json.dumps(run, indent=2), encoding="utf-8")
    if write_histograms:
        (run_dir / "histograms.json").write_text(json.dumps(hists.to_dict()), encoding="utf-8")
    if write_samples:
        with gzip.open(run_dir / "samples.csv.gz", "wt", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["ticket_id", "stage", "t_offset_s", "latency_ms", "ok", "reason"])
            writer.writerows(rows)
    return run_dir
