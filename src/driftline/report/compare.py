"""Per-stage deltas between two runs (``report RUN_A --compare RUN_B``: this month vs last)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from driftline.stress.histogram import Histogram, StageHistograms


@dataclass(frozen=True)
class StageStats:
    count: int
    error_rate: float
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None

    @classmethod
    def of(cls, hist: Histogram) -> StageStats:
        return cls(
            hist.count,
            hist.error_rate,
            hist.quantile(0.5),
            hist.quantile(0.95),
            hist.quantile(0.99),
        )


@dataclass(frozen=True)
class StageDelta:
    """``current`` is this run, ``baseline`` the one compared against; None: stage absent."""

    stage: str
    current: StageStats | None
    baseline: StageStats | None

    def change(self, metric: str) -> float | None:
        """Relative change of a latency metric (``p95_ms`` …): +0.25 means 25 % slower."""
        if self.current is None or self.baseline is None:
            return None
        now, before = getattr(self.current, metric), getattr(self.baseline, metric)
        if now is None or not before:
            return None
        return now / before - 1.0

    @property
    def error_rate_change(self) -> float | None:
        if self.current is None or self.baseline is None:
            return None
        return self.current.error_rate - self.baseline.error_rate

    @property
    def worse(self) -> bool:
        p95 = self.change("p95_ms")
        errors = self.error_rate_change
        return (p95 is not None and p95 >= 0.10) or (errors is not None and errors >= 0.01)


@dataclass(frozen=True)
class Comparison:
    current_id: str
    baseline_id: str
    deltas: list[StageDelta]


def compare_runs(
    current: StageHistograms,
    baseline: StageHistograms,
    stage_order: Sequence[str],
    *,
    current_id: str,
    baseline_id: str,
) -> Comparison:
    names = [s for s in stage_order if s in current.stages or s in baseline.stages]
    rest = sorted((set(current.stages) | set(baseline.stages)) - set(names))
    deltas = []
    for stage in [*names, *rest]:
        now = current.stages.get(stage)
        before = baseline.stages.get(stage)
        deltas.append(
            StageDelta(
                stage,
                StageStats.of(now.total()) if now else None,
                StageStats.of(before.total()) if before else None,
            )
        )
    return Comparison(current_id, baseline_id, deltas)
