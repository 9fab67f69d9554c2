"""Name the bottleneck: the first stage (in journey order) where most samples failed, else the
first whose backlog grows, else the stage whose p95 / deadline ratio is worst — with the numbers
that show it.

A stage's backlog grows when work arrives faster than it is done: the wait of each new ticket is
longer than the one before, so its latency climbs through the run (Little's law with steady
arrivals). We compare the stage's p95 over the last third of the run with the first third, and its
failed share (missed deadlines and errors alike), and call it growing when the late p95 is at least
``GROWTH`` times the early one and already a noticeable share of the deadline, or when the error
rate climbs by ``ERROR_CLIMB`` or more.

Stages that were never reached (no samples) cannot be a bottleneck; the verdicts name them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from driftline.report.heatmap import format_ms, format_ratio
from driftline.report.stagerows import StageRow, format_pct, stage_rows
from driftline.stress.histogram import StageHistograms
from driftline.stress.summary import StageFigures

GROWTH = 1.5
#: Below this p95 / deadline ratio a stage is not under pressure (the run is comfortable).
PRESSURE = 0.5
MIN_DEADLINE_SHARE = 0.25
ERROR_CLIMB = 0.10
#: A stage where at least this share of samples failed is failing, whatever its latency says
#: (a missed deadline is measured only up to the deadline, so its p95 cannot show how late).
FAILING = 0.5


@dataclass(frozen=True)
class Bottleneck:
    """``stage``: None when no stage had samples; ``reason``: backlog, failing or ratio."""

    stage: str | None
    reason: str | None
    headline: str
    evidence: list[str] = field(default_factory=list)
    stages: list[StageRow] = field(default_factory=list)

    @property
    def pressing(self) -> bool:
        """True when the named stage really holds the run back (not merely the slowest)."""
        if self.reason in ("backlog", "failing"):
            return True
        named = next((ev for ev in self.stages if ev.stage == self.stage), None)
        return named is not None and (named.ratio or 0.0) >= PRESSURE


def backlog_grows(row: StageRow) -> bool:
    """True when the stage's late p95 grew well past its early one, or its failed share climbed."""
    growth = row.growth
    if growth is not None and growth >= GROWTH and row.late_p95_ms is not None:
        share = row.late_p95_ms / row.deadline_ms if row.deadline_ms else 1.0
        if share >= MIN_DEADLINE_SHARE:
            return True
    return row.late_failed_rate - row.early_failed_rate >= ERROR_CLIMB


def find_bottleneck(
    hists: StageHistograms,
    stage_order: Sequence[str],
    deadlines_ms: Mapping[str, float],
    figures: Mapping[str, StageFigures] | None = None,
    not_observed: Mapping[str, str] | None = None,
) -> Bottleneck:
    """The first stage whose backlog grows, else the worst p95 / deadline ratio.

    ``figures``: the run's own stage figures (run.json); without them, the histograms'.
    """
    return bottleneck_of(stage_rows(hists, stage_order, deadlines_ms, figures, not_observed))


def bottleneck_of(rows: Sequence[StageRow]) -> Bottleneck:
    """The bottleneck among ``rows`` (every stage's row, reached or not, in journey order)."""
    all_rows = list(rows)
    evidence = [row for row in all_rows if row.reached]
    if not evidence:
        return Bottleneck(None, None, "No stage recorded any samples: nothing to judge.")
    failing = next((ev for ev in evidence if (ev.failed_rate or 0.0) >= FAILING), None)
    if failing is not None:
        return Bottleneck(
            failing.stage,
            "failing",
            f"{failing.stage} is the bottleneck: {format_pct(failing.failed_rate)} of its "
            "samples failed.",
            [_failures(failing)],
            all_rows,
        )
    for ev in evidence:
        if backlog_grows(ev):
            return Bottleneck(
                ev.stage,
                "backlog",
                f"{ev.stage} is the bottleneck: its backlog grows.",
                _backlog_lines(ev),
                all_rows,
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
            all_rows,
        )
    slowest = max(evidence, key=lambda ev: ev.p95_ms or 0.0)
    return Bottleneck(
        slowest.stage,
        "ratio",
        f"{slowest.stage} is the slowest stage (no stage has a deadline to compare with).",
        [f"p95 {format_ms(slowest.p95_ms or 0.0)} over {slowest.count} samples"],
        all_rows,
    )


def _backlog_lines(ev: StageRow) -> list[str]:
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
        f"failed {ev.early_failed_rate:.1%} early → {ev.late_failed_rate:.1%} late "
        f"({_failures(ev)})"
    )
    return lines


def _ratio_lines(worst: StageRow, rated: list[StageRow]) -> list[str]:
    lines = [
        f"p95 {format_ms(worst.p95_ms or 0.0)} against a {format_ms(worst.deadline_ms or 0.0)} "
        f"deadline over {worst.count} samples; {_failures(worst)}"
    ]
    others = sorted((ev for ev in rated if ev is not worst), key=lambda e: -(e.ratio or 0.0))
    if others:
        runner_up = others[0]
        lines.append(
            f"next worst: {runner_up.stage} at {format_ratio(runner_up.ratio or 0.0)} its deadline"
        )
    lines.append("no stage's backlog grows: latencies hold steady through the run")
    return lines


def _failures(row: StageRow) -> str:
    """``3 of 60 samples failed: 2 missed the deadline, 1 error`` (the split when known)."""
    text = f"{row.failed} of {row.count} samples failed"
    if row.failed and row.missed is not None and row.errors is not None:
        errors = f"{row.errors} error{'s' if row.errors != 1 else ''}"
        text += f": {row.missed} missed the deadline, {errors}"
    return text
