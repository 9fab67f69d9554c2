"""Stage figures of a run: counts, completion, error rate and exact percentiles per stage.

Pure functions over the raw samples a :class:`~driftline.stress.stages.StageTracker` collected.
Definitions (documented in README, "Stress run directory"):

- ``count`` samples of the stage; ``ok`` those that completed within the deadline;
  ``failed = count - ok`` = ``deadline_missed + errors``;
- ``completion = ok / count``; ``error_rate = errors / count`` (errors are failures other
  than a missed deadline: HTTP errors, a ticket not found, an ineffective action);
- ``p50_ms`` … ``max_ms`` over every sample of the stage, failures included (a missed
  deadline counts with the time waited), exact by nearest rank. ``histograms.json`` holds the
  same samples bucketed per time slice (quantiles there are within ~9 %).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from driftline.stress.stages import DEADLINE_REASONS, STAGE_ORDER, Sample


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (``q`` in 0..1) of an ascending list; None when empty."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


@dataclass
class StageFigures:
    """One stage's figures as they appear under ``stages`` in ``run.json``."""

    deadline_ms: float | None = None
    count: int = 0
    ok: int = 0
    failed: int = 0
    errors: int = 0
    deadline_missed: int = 0
    completion: float | None = None
    error_rate: float | None = None
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    max_ms: float | None = None
    reasons: dict[str, int] = field(default_factory=dict)

    def get(self, metric: str) -> float | None:
        value = getattr(self, metric)
        return None if value is None else float(value)

    def to_dict(self) -> dict[str, Any]:
        def r(v: float | None, digits: int = 1) -> float | None:
            return None if v is None else round(v, digits)

        return {
            "deadline_ms": r(self.deadline_ms),
            "count": self.count,
            "ok": self.ok,
            "failed": self.failed,
            "errors": self.errors,
            "deadline_missed": self.deadline_missed,
            "completion": r(self.completion, 4),
            "error_rate": r(self.error_rate, 4),
            "p50_ms": r(self.p50_ms),
            "p95_ms": r(self.p95_ms),
            "p99_ms": r(self.p99_ms),
            "max_ms": r(self.max_ms),
            "reasons": dict(sorted(self.reasons.items())),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StageFigures:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)


def stage_figures(
    samples: Iterable[Sample],
    deadlines_ms: Mapping[str, float] | None = None,
    stage_order: Iterable[str] = STAGE_ORDER,
) -> dict[str, StageFigures]:
    """Figures for every stage of ``stage_order`` (a stage with no samples has count 0)."""
    deadlines_ms = deadlines_ms or {}
    order = list(stage_order)
    latencies: dict[str, list[float]] = {s: [] for s in order}
    figures = {s: StageFigures(deadline_ms=deadlines_ms.get(s)) for s in order}
    for sample in samples:
        fig = figures.get(sample.stage)
        if fig is None:
            fig = figures[sample.stage] = StageFigures(deadline_ms=deadlines_ms.get(sample.stage))
            latencies[sample.stage] = []
        fig.count += 1
        latencies[sample.stage].append(sample.latency_ms)
        if sample.ok:
            fig.ok += 1
            continue
        fig.failed += 1
        fig.reasons[sample.reason] = fig.reasons.get(sample.reason, 0) + 1
        if sample.reason in DEADLINE_REASONS:
            fig.deadline_missed += 1
        else:
            fig.errors += 1
    for stage, fig in figures.items():
        values = sorted(latencies[stage])
        if not values:
            continue
        fig.completion = fig.ok / fig.count
        fig.error_rate = fig.errors / fig.count
        fig.p50_ms = percentile(values, 0.50)
        fig.p95_ms = percentile(values, 0.95)
        fig.p99_ms = percentile(values, 0.99)
        fig.max_ms = values[-1]
    return figures


@dataclass(frozen=True)
class Throughput:
    tickets: int
    duration_s: float

    @property
    def tickets_per_s(self) -> float:
        return self.tickets / self.duration_s if self.duration_s > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "tickets": self.tickets,
            "duration_s": round(self.duration_s, 3),
            "tickets_per_s": round(self.tickets_per_s, 3),
        }
