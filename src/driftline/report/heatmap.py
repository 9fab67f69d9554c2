"""Heatmap grids as plain numbers; the HTML and terminal renderers only draw them.

A :class:`Grid` is rows × columns of optional floats (``None``: no data in that cell) with
labels for both axes and, optionally, a second layer (the error rate over the stage × time grid).
Time columns merge the run's slices so that a grid never has more than ``max_cols`` columns,
which keeps the report the same size whether the run lasted one minute or one day.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from driftline.stress.histogram import (
    BUCKET_COUNT,
    Histogram,
    SlicedHistogram,
    StageHistograms,
    bucket_bounds,
)

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DEFAULT_MAX_COLS = 60


@dataclass
class Grid:
    """``values[row][col]``; ``overlay`` has the same shape when present."""

    title: str
    row_labels: list[str]
    col_labels: list[str]
    values: list[list[float | None]]
    unit: str = ""
    overlay: list[list[float | None]] | None = None
    counts: list[list[int]] | None = None
    #: Numeric value of each row (latency grids: the row's lower bound in ms).
    row_values: list[float] | None = None
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.row_labels), len(self.col_labels)

    def max_value(self) -> float:
        present = [v for row in self.values for v in row if v is not None]
        return max(present) if present else 0.0


@dataclass(frozen=True)
class Columns:
    """How slices map onto grid columns: column ``c`` covers slices ``[c*per, (c+1)*per)``."""

    slice_s: float
    per: int
    count: int

    @property
    def width_s(self) -> float:
        return self.slice_s * self.per

    def of(self, slice_index: int) -> int:
        return slice_index // self.per

    def labels(self) -> list[str]:
        return [_clock(c * self.width_s) for c in range(self.count)]


def columns_for(hists: StageHistograms, max_cols: int = DEFAULT_MAX_COLS) -> Columns:
    """Columns spanning every slice of every stage, at most ``max_cols`` of them."""
    last = max((i for s in hists.stages.values() for i in s.slices), default=-1)
    n_slices = last + 1
    per = max(1, math.ceil(n_slices / max_cols)) if n_slices else 1
    return Columns(hists.slice_s, per, math.ceil(n_slices / per) if n_slices else 0)


def column_histograms(sliced: SlicedHistogram, cols: Columns) -> list[Histogram]:
    """One merged histogram per column (empty where the stage had no samples)."""
    result = [Histogram() for _ in range(cols.count)]
    for index, hist in sliced.slices.items():
        result[cols.of(index)].merge(hist)
    return result


def stage_time_grid(
    hists: StageHistograms,
    stage_order: Sequence[str],
    deadlines_ms: dict[str, float],
    max_cols: int = DEFAULT_MAX_COLS,
) -> Grid:
    """Stage × time: p95 / stage deadline per cell, with the failed share as overlay.

    The overlay is the share of the cell's samples that failed (a missed deadline or an error:
    the histograms do not keep the reason).
    """
    cols = columns_for(hists, max_cols)
    stages = [s for s in stage_order if s in hists.stages]
    stages += sorted(s for s in hists.stages if s not in stages)
    values: list[list[float | None]] = []
    overlay: list[list[float | None]] = []
    counts: list[list[int]] = []
    for stage in stages:
        deadline = deadlines_ms.get(stage)
        row: list[float | None] = []
        errs: list[float | None] = []
        ns: list[int] = []
        for hist in column_histograms(hists.stages[stage], cols):
            p95 = hist.quantile(0.95)
            if p95 is None:
                row.append(None)
                errs.append(None)
            else:
                row.append(p95 / deadline if deadline else None)
                errs.append(hist.error_rate)
            ns.append(hist.count)
        values.append(row)
        overlay.append(errs)
        counts.append(ns)
    return Grid(
        title="p95 / deadline per stage over time",
        row_labels=stages,
        col_labels=cols.labels(),
        values=values,
        unit="× deadline",
        overlay=overlay,
        counts=counts,
        notes={"column_s": f"{cols.width_s:g}"},
    )


def relative_grid(
    hists: StageHistograms, stage_order: Sequence[str], max_cols: int = DEFAULT_MAX_COLS
) -> Grid:
    """Stage × time: each cell's p95 against the median of the stage's cell p95s (its typical
    p95 in this run), so 1× is "as usual" and 3× is three times slower than usual.

    A healthy run, far inside every deadline, still shows where and when a stage slowed down.
    """
    cols = columns_for(hists, max_cols)
    stages = [s for s in stage_order if s in hists.stages]
    stages += sorted(s for s in hists.stages if s not in stages)
    values: list[list[float | None]] = []
    counts: list[list[int]] = []
    for stage in stages:
        per_col = column_histograms(hists.stages[stage], cols)
        p95s = [h.quantile(0.95) for h in per_col]
        present = sorted(p for p in p95s if p is not None)
        median = present[(len(present) - 1) // 2] if present else None
        values.append([p / median if p is not None and median else None for p in p95s])
        counts.append([h.count for h in per_col])
    return Grid(
        title="p95 against the stage's usual p95 over time",
        row_labels=stages,
        col_labels=cols.labels(),
        values=values,
        unit="× median",
        counts=counts,
        notes={"column_s": f"{cols.width_s:g}"},
    )


def latency_grid(stage: str, sliced: SlicedHistogram, cols: Columns, *, group: int = 2) -> Grid:
    """Time on x, log latency buckets on y (slowest on top), sample count as the value.

    ``group`` histogram buckets make one row (2 → half an octave, ~41 % per row); only the range
    of rows that hold samples is kept.
    """
    per_col = column_histograms(sliced, cols)
    present = [b for h in per_col for b in h.counts]
    if not present:
        return Grid(title=stage, row_labels=[], col_labels=cols.labels(), values=[], unit="samples")
    low_row, high_row = min(present) // group, max(present) // group
    rows = list(range(high_row, low_row - 1, -1))
    values: list[list[float | None]] = []
    for r in rows:
        line: list[float | None] = []
        for hist in per_col:
            n = sum(
                hist.counts.get(b, 0) for b in range(r * group, min((r + 1) * group, BUCKET_COUNT))
            )
            line.append(float(n) if n else None)
        values.append(line)
    lows = [bucket_bounds(r * group)[0] for r in rows]
    return Grid(
        title=stage,
        row_labels=[format_ms(low) for low in lows],
        col_labels=cols.labels(),
        values=values,
        unit="samples",
        row_values=lows,
        notes={"column_s": f"{cols.width_s:g}"},
    )


def latency_grids(
    hists: StageHistograms, stage_order: Sequence[str], max_cols: int = DEFAULT_MAX_COLS
) -> list[Grid]:
    cols = columns_for(hists, max_cols)
    stages = [s for s in stage_order if s in hists.stages]
    stages += sorted(s for s in hists.stages if s not in stages)
    return [latency_grid(s, hists.stages[s], cols) for s in stages]


def week_hour_grid(title: str, moments: Iterable[datetime | None]) -> Grid:
    """Weekday (rows, Monday first) × hour of day (columns): how many events fell in each."""
    counts = [[0] * 24 for _ in range(7)]
    for moment in moments:
        if moment is not None:
            counts[moment.weekday()][moment.hour] += 1
    return Grid(
        title=title,
        row_labels=list(WEEKDAYS),
        col_labels=[f"{h:02d}" for h in range(24)],
        values=[[float(n) if n else None for n in row] for row in counts],
        unit="tickets",
        counts=counts,
    )


def format_ms(ms: float) -> str:
    """``850 ms``, ``1.7 s``, ``12 s``, ``3.5 min``."""
    if ms < 1:
        return f"{ms:.2g} ms" if ms else "0 ms"
    if ms < 1000:
        return f"{ms:.3g} ms"
    if ms < 60_000:
        return f"{ms / 1000:.2g} s" if ms < 10_000 else f"{ms / 1000:.0f} s"
    return f"{ms / 60_000:.2g} min"


def format_ratio(ratio: float) -> str:
    """``1.06×``, ``0.27×``, ``0.002×`` (small ratios keep one significant digit)."""
    return f"{ratio:.2f}×" if ratio >= 0.1 or ratio == 0 else f"{ratio:.1g}×"


def _clock(seconds: float) -> str:
    seconds = round(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}"
    return f"{seconds // 60}:{seconds % 60:02d}"


NIGHT_HOURS = (22, 23, 0, 1, 2, 3, 4, 5)


def busiest_cell(grid: Grid) -> tuple[str, str, float] | None:
    """(row label, column label, value) of the grid's largest cell, or None when empty."""
    best: tuple[str, str, float] | None = None
    for r, row in enumerate(grid.values):
        for c, value in enumerate(row):
            if value is not None and (best is None or value > best[2]):
                best = (grid.row_labels[r], grid.col_labels[c], value)
    return best


def night_share(grid: Grid, hours: Sequence[int] = NIGHT_HOURS) -> float | None:
    """Share of a week × hour grid's events that fall in ``hours`` (default 22:00–06:00)."""
    total = sum(v or 0 for row in grid.values for v in row)
    if not total:
        return None
    return sum(row[h] or 0 for row in grid.values for h in hours) / total
