"""One definition of each stage figure, shared by every place that shows one.

The whole-run figures are the run's own (``run.json`` → ``stages``, computed by
:func:`driftline.stress.summary.stage_figures` from every raw sample), so the HTML report, the
terminal, JUnit and the verdicts can never disagree:

- ``count``: samples of the stage;
- ``completed``: samples that finished within the stage's deadline;
- ``missed``: samples that ran past the deadline (reason ``deadline``);
- ``errors``: every other failure (HTTP errors, a ticket not found, an ineffective action);
- ``failed = missed + errors``; ``completion = completed / count``;
  ``error_rate = errors / count``; ``miss_rate = missed / count``;
  ``failed_rate = failed / count``;
- ``p50_ms`` … ``p99_ms``: exact nearest-rank percentiles over every sample, failures included.

Only the trend (the p95 and the failed share of the stage's first and last third of samples)
comes from the time-sliced histograms, which know whether a sample failed but not why. A run
directory without figures (an old or hand-made one) falls back to the histograms; then the
failed count is known but not its split, and ``missed``/``errors`` are None.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from driftline.report.heatmap import format_ms, format_ratio
from driftline.stress.histogram import Histogram, SlicedHistogram, StageHistograms
from driftline.stress.summary import StageFigures

#: A trend needs this many samples in each of the stage's first and last thirds.
MIN_SAMPLES_PER_THIRD = 4


@dataclass(frozen=True)
class StageRow:
    """One stage's figures over the whole run, and its first and last thirds."""

    stage: str
    deadline_ms: float | None
    count: int
    completed: int
    missed: int | None
    errors: int | None
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None = None
    early_p95_ms: float | None = None
    late_p95_ms: float | None = None
    early_failed_rate: float = 0.0
    late_failed_rate: float = 0.0
    #: Why the system under test has no such stage (its adapter says so); None: it has one.
    not_observed: str | None = None

    @property
    def reached(self) -> bool:
        return self.count > 0

    @property
    def failed(self) -> int:
        return self.count - self.completed

    def _share(self, n: int | None) -> float | None:
        return None if n is None or not self.count else n / self.count

    @property
    def completion(self) -> float | None:
        return self._share(self.completed)

    @property
    def error_rate(self) -> float | None:
        return self._share(self.errors)

    @property
    def miss_rate(self) -> float | None:
        return self._share(self.missed)

    @property
    def failed_rate(self) -> float | None:
        return self._share(self.failed)

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


def thirds(sliced: SlicedHistogram) -> tuple[Histogram, Histogram] | None:
    """The stage's first and last third of samples (whole slices, in time order), or None.

    Thirds are counted in the stage's own samples, not in the run's clock: a stage that starts
    late (a dispatch, an alert) still has a first third, and a dozen samples are enough.
    """
    total = sum(h.count for h in sliced.slices.values())
    if total < 3 * MIN_SAMPLES_PER_THIRD:
        return None
    ordered = [h for _, h in sorted(sliced.slices.items()) if h.count]
    early, late = Histogram(), Histogram()
    first = 0
    while first < len(ordered) and early.count < total / 3:
        early.merge(ordered[first])
        first += 1
    last = len(ordered)
    while last > first and late.count < total / 3:
        last -= 1
        late.merge(ordered[last])
    if min(early.count, late.count) < MIN_SAMPLES_PER_THIRD or late.count == 0:
        return None
    return early, late


def stage_rows(
    hists: StageHistograms,
    stage_order: Sequence[str],
    deadlines_ms: Mapping[str, float],
    figures: Mapping[str, StageFigures] | None = None,
    not_observed: Mapping[str, str] | None = None,
) -> list[StageRow]:
    """A row for every stage the run knows (figures or histograms), in journey order;
    ``not_observed``: stages the system lacks (stage → why), shown as such, never as passed."""
    figures = figures or {}
    not_observed = not_observed or {}
    known = {*figures, *hists.stages, *not_observed}
    names = [s for s in stage_order if s in known]
    names += sorted(s for s in known if s not in names)
    rows = []
    for name in names:
        row = _row(name, hists.stages.get(name), deadlines_ms.get(name), figures.get(name))
        if name in not_observed:
            row = replace(row, not_observed=str(not_observed[name]))
        rows.append(row)
    return rows


def _row(
    stage: str,
    sliced: SlicedHistogram | None,
    deadline_ms: float | None,
    fig: StageFigures | None,
) -> StageRow:
    trend: dict[str, Any] = {}
    split = sliced and thirds(sliced)
    if split:
        early, late = split
        trend = {
            "early_p95_ms": early.quantile(0.95),
            "late_p95_ms": late.quantile(0.95),
            "early_failed_rate": early.error_rate,
            "late_failed_rate": late.error_rate,
        }
    if deadline_ms is None and fig is not None:
        deadline_ms = fig.deadline_ms
    if fig is not None:
        return StageRow(
            stage,
            deadline_ms,
            fig.count,
            fig.ok,
            fig.deadline_missed,
            fig.errors,
            fig.p50_ms,
            fig.p95_ms,
            fig.p99_ms,
            **trend,
        )
    total = sliced.total() if sliced else Histogram()
    return StageRow(
        stage,
        deadline_ms,
        total.count,
        total.count - total.errors,
        None,
        None,
        total.quantile(0.5),
        total.quantile(0.95),
        total.quantile(0.99),
        **trend,
    )


def figures_of(run: Mapping[str, Any]) -> dict[str, StageFigures]:
    """The ``stages`` figures recorded in a run.json document (stages without a count skipped)."""
    stages = run.get("stages") or {}
    return {
        name: StageFigures.from_dict(info)
        for name, info in stages.items()
        if isinstance(info, dict) and "count" in info and "ok" in info
    }


# Formatting shared by the HTML and terminal tables: the same text for the same figure.


def format_pct(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{100 * value:.{digits}f} %"


def format_count(n: int | None, of: int) -> str:
    """``3 (5.0 %)``; ``–`` when unknown."""
    if n is None:
        return "–"
    return f"{n}" if not of else f"{n} ({format_pct(n / of)})"


def format_limit(value: Any) -> str:
    """A threshold limit as it was written: ``0.01`` stays ``0.01``, ``2000.0`` is ``2000``."""
    if value is None:
        return "–"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def format_actual(value: Any) -> str:
    """A verdict's measured value: like a limit, ``–`` when there was nothing to measure."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.4g}" if abs(value) < 1000 else f"{value:.0f}"
    return format_limit(value)


def _ms(value: float | None) -> str:
    return "–" if value is None else format_ms(value)


def row_cells(row: StageRow) -> dict[str, str]:
    """Every figure of ``row`` as the text both renderers show (an unknown figure is ``–``)."""
    if not row.reached:
        blank = dict.fromkeys(CELL_KEYS, "–")
        what = NOT_OBSERVED if row.not_observed is not None else NOT_REACHED
        return {**blank, "samples": "0", "completed": what, "deadline": _ms(row.deadline_ms)}
    trend = (
        "–"
        if row.early_p95_ms is None or row.late_p95_ms is None
        else f"{_ms(row.early_p95_ms)} → {_ms(row.late_p95_ms)}"
    )
    return {
        "samples": str(row.count),
        "completed": str(row.completed),
        "missed": "–" if row.missed is None else str(row.missed),
        "errors": "–" if row.errors is None else str(row.errors),
        "failed": str(row.failed),
        "completion": format_pct(row.completion),
        "error_rate": format_pct(row.error_rate),
        "p50": _ms(row.p50_ms),
        "p95": _ms(row.p95_ms),
        "p99": _ms(row.p99_ms),
        "deadline": _ms(row.deadline_ms),
        "ratio": "–" if row.ratio is None else format_ratio(row.ratio),
        "trend": trend,
    }


NOT_REACHED = "not reached"
NOT_OBSERVED = "not observed"
CELL_KEYS = (
    "samples",
    "completed",
    "missed",
    "errors",
    "failed",
    "completion",
    "error_rate",
    "p50",
    "p95",
    "p99",
    "deadline",
    "ratio",
    "trend",
)

#: Column headings of the full stage table (HTML), by cell key.
HEADINGS = {
    "samples": "Samples",
    "completed": "Completed",
    "missed": "Missed deadline",
    "errors": "Errors",
    "failed": "Failed",
    "completion": "Completion",
    "error_rate": "Error rate",
    "p50": "p50",
    "p95": "p95",
    "deadline": "Deadline",
    "ratio": "p95 / deadline",
    "trend": "p95 first → last third",
}
