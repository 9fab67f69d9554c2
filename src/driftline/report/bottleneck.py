"""Name the bottleneck: the first stage (in journey order) whose backlog grows, else the stage
whose p95 / deadline ratio is worst — with the numbers that show it.

A stage's backlog grows when work arrives faster than it is done: the wait of each new ticket is
longer than the one before, so its latency climbs through the run (Little's law with steady
arrivals). We compare the stage's p95 over the last third of the run with the first third, and its
error rate (deadline misses are errors), and call it growing when the late p95 is at least
``GROWTH`` times the early one and already a noticeable share of the deadline, or when the error
rate climbs by ``ERROR_CLIMB`` or more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from driftline.report.heatmap import format_ms, format_ratio
from driftline.stress.histogram import Histogram, StageHistograms

GROWTH = 1.5
#: Below this p95 / deadline ratio a stage is not under pressure (the run is comfortable).
PRESSURE = 0.5
MIN_DEADLINE_SHARE = 0.25
ERROR_CLIMB = 0.10
MIN_SAMPLES_PER_THIRD = 5


@dataclass(frozen=True)
class StageEvidence:
    """One stage's numbers over the whole run and over its first and last thirds."""

    stage: str
    deadline_ms: float | None
    count: int
    errors: int
    p50_ms: float | None
    p95_ms: float | None
    early_p95_ms: float | None
    late_p95_ms: float | None
    early_error_rate: float
    late_error_rate: float

    @property
    def error_rate(self) -> float:
        return self.errors / self.count if self.count else 0.0

    @property
    def ratio(self) -> float | None:
        """p95 / deadline over the whole run."""
        if self.p95_ms is None or not self.deadline_ms:
            return None
        return self.p95_ms / self.deadline_ms

    @property
    def growth(self) -> float | None:
        """Late p95 / early p95."""
        if not self.early_p95_ms or self.late_p95_ms is None:
            return None
        return self.late_p95_ms / self.early_p95_ms

    @property
    def backlog_grows(self) -> bool:
        growth = self.growth
        if growth is not None and growth >= GROWTH and self.late_p95_ms is not None:
            share = self.late_p95_ms / self.deadline_ms if self.deadline_ms else 1.0
            if share >= MIN_DEADLINE_SHARE:
                return True
        return self.late_error_rate - self.early_error_rate >= ERROR_CLIMB


@dataclass(frozen=True)
class Bottleneck:
    """``stage`` is None when no stage had samples; ``reason`` is ``backlog`` or ``ratio``."""

    stage: str | None
    reason: str | None
    headline: str
    evidence: list[str] = field(default_factory=list)
    stages: list[StageEvidence] = field(default_factory=list)

    @property
    def pressing(self) -> bool:
        """True when the named stage really holds the run back (not merely the slowest)."""
        if self.reason == "backlog":
            return True
        named = next((ev for ev in self.stages if ev.stage == self.stage), None)
        return named is not None and (named.ratio or 0.0) >= PRESSURE


def stage_evidence(
    hists: StageHistograms, stage_order: Sequence[str], deadlines_ms: dict[str, float]
) -> list[StageEvidence]:
    """Evidence for every stage with samples, in journey order."""
    last = max((i for s in hists.stages.values() for i in s.slices), default=-1)
    third = (last + 1) / 3
    stages = [s for s in stage_order if s in hists.stages]
    stages += sorted(s for s in hists.stages if s not in stages)
    result = []
    for stage in stages:
        total, early, late = Histogram(), Histogram(), Histogram()
        for index, hist in hists.stages[stage].slices.items():
            total.merge(hist)
            if index < third:
                early.merge(hist)
            elif index >= 2 * third:
                late.merge(hist)
        if total.count == 0:
            continue
        enough = min(early.count, late.count) >= MIN_SAMPLES_PER_THIRD
        result.append(
            StageEvidence(
                stage=stage,
                deadline_ms=deadlines_ms.get(stage),
                count=total.count,
                errors=total.errors,
                p50_ms=total.quantile(0.5),
                p95_ms=total.quantile(0.95),
                early_p95_ms=early.quantile(0.95) if enough else None,
                late_p95_ms=late.quantile(0.95) if enough else None,
                early_error_rate=early.error_rate if enough else 0.0,
                late_error_rate=late.error_rate if enough else 0.0,
            )
        )
    return result


def find_bottleneck(
    hists: StageHistograms, stage_order: Sequence[str], deadlines_ms: dict[str, float]
) -> Bottleneck:
    """The first stage whose backlog grows, else the worst p95 / deadline ratio."""
    evidence = stage_evidence(hists, stage_order, deadlines_ms)
    if not evidence:
        return Bottleneck(None, None, "No stage recorded any samples: nothing to judge.")
    for ev in evidence:
        if ev.backlog_grows:
            return Bottleneck(
                ev.stage,
                "backlog",
                f"{ev.stage} is the bottleneck: its backlog grows.",
                _backlog_lines(ev),
                evidence,
            )
    rated = [ev for ev in evidence if ev.ratio is not None]
    if rated:
        worst = max(rated, key=lambda ev: ev.ratio or 0.0)
        ratio = worst.ratio or 0.0
        if ratio >= PRESSURE:
            verb = "misses" if ratio > 1 else "is closest to"
            headline = (
                f"{worst.stage} is the bottleneck: it {verb} its deadline "
                f"(p95 {format_ratio(ratio)} the deadline), the worst of all stages."
            )
        else:
            headline = (
                f"No stage is under pressure; {worst.stage} comes closest to its deadline "
                f"(p95 {format_ratio(ratio)} the deadline)."
            )
        return Bottleneck(
            worst.stage,
            "ratio",
            headline,
            _ratio_lines(worst, rated),
            evidence,
        )
    slowest = max(evidence, key=lambda ev: ev.p95_ms or 0.0)
    return Bottleneck(
        slowest.stage,
        "ratio",
        f"{slowest.stage} is the slowest stage (no stage has a deadline to compare with).",
        [f"p95 {format_ms(slowest.p95_ms or 0.0)} over {slowest.count} samples"],
        evidence,
    )


def _backlog_lines(ev: StageEvidence) -> list[str]:
    lines = []
    if ev.growth is not None and ev.early_p95_ms is not None and ev.late_p95_ms is not None:
        lines.append(
            f"p95 rose from {format_ms(ev.early_p95_ms)} in the first third of the run "
            f"to {format_ms(ev.late_p95_ms)} in the last third (×{ev.growth:.1f})"
        )
    if ev.deadline_ms and ev.late_p95_ms is not None:
        lines.append(
            f"late p95 is {ev.late_p95_ms / ev.deadline_ms:.0%} of its "
            f"{format_ms(ev.deadline_ms)} deadline"
        )
    lines.append(
        f"error rate {ev.early_error_rate:.1%} early → {ev.late_error_rate:.1%} late "
        f"({ev.errors} of {ev.count} samples failed)"
    )
    return lines


def _ratio_lines(worst: StageEvidence, rated: list[StageEvidence]) -> list[str]:
    lines = [
        f"p95 {format_ms(worst.p95_ms or 0.0)} against a {format_ms(worst.deadline_ms or 0.0)} "
        f"deadline over {worst.count} samples, error rate {worst.error_rate:.1%}"
    ]
    others = sorted((ev for ev in rated if ev is not worst), key=lambda e: -(e.ratio or 0.0))
    if others:
        runner_up = others[0]
        lines.append(
            f"next worst: {runner_up.stage} at {format_ratio(runner_up.ratio or 0.0)} its deadline"
        )
    lines.append("no stage's backlog grows: latencies hold steady through the run")
    return lines
