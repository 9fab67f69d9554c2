"""Draw :class:`~driftline.report.heatmap.Grid` values as inline SVG (no scripts, no fonts).

Every string that comes from data is escaped here; the result is :class:`markupsafe.Markup` so the
autoescaping template inserts it as is.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from driftline.report.heatmap import Grid, format_ms
from driftline.report.palette import (
    FAILING,
    cell_colour,
    count_colour,
    count_level,
    failed_colour,
    ratio_colour,
    relative_colour,
)

if TYPE_CHECKING:
    from driftline.drills.timeline import Timeline

PLOT_W = 760
LABEL_W = 92
AXIS_H = 22
FONT = 'font-family="inherit" font-size="11" fill="#4b5563"'


def _x_ticks(labels: list[str], x0: float, cell_w: float, y: float, every: int) -> list[str]:
    parts = []
    for c in range(0, len(labels), every):
        parts.append(
            f'<text x="{x0 + c * cell_w:.1f}" y="{y:.1f}" {FONT}>{escape(labels[c])}</text>'
        )
    return parts


def _every(n: int, cell_w: float, min_px: float = 56) -> int:
    return max(1, math.ceil(min_px / cell_w)) if n else 1


NO_SAMPLES = Markup('<p class="muted">No stage samples in this run.</p>')


def _stage_svg_open(grid: Grid, cell_h: float) -> str:
    """The opening tag of a stage rows × time columns map, ``cell_h`` high per row."""
    width, height = LABEL_W + PLOT_W, grid.shape[0] * cell_h + AXIS_H
    return (
        f'<svg class="heat" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(grid.title)}">'
    )


def _stage_label(stage: str, y: float, cell_h: float, weight: str = "") -> str:
    return (
        f'<text x="{LABEL_W - 8}" y="{y + cell_h / 2 + 4:.1f}" text-anchor="end" '
        f'font-size="12"{weight} fill="#1f2937">{escape(stage)}</text>'
    )


def stage_time_svg(grid: Grid) -> Markup:
    """Stage rows × time columns coloured by p95 / deadline; a dark dot sized by the failed
    share; a cell where most samples failed takes the failure colour instead."""
    rows, cols = grid.shape
    if not rows or not cols:
        return NO_SAMPLES
    cell_w, cell_h = PLOT_W / cols, 28
    out = [_stage_svg_open(grid, cell_h)]
    for r, stage in enumerate(grid.row_labels):
        y = r * cell_h
        out.append(_stage_label(stage, y, cell_h, ' font-weight="600"'))
        for c in range(cols):
            ratio = grid.values[r][c]
            err = grid.overlay[r][c] if grid.overlay else None
            n = grid.counts[r][c] if grid.counts else 0
            x = LABEL_W + c * cell_w
            if ratio is None and not n:
                tip = f"{stage} {grid.col_labels[c]}: no samples"
            else:
                ratio_text = f"p95 {ratio:.2f}× deadline" if ratio is not None else "no deadline"
                tip = (
                    f"{stage} from {grid.col_labels[c]}: {ratio_text}, "
                    f"failed {100 * (err or 0):.1f} %, {n} samples"
                )
            out.append(
                f'<rect x="{x:.1f}" y="{y + 1}" width="{max(cell_w - 1, 0.6):.1f}" '
                f'height="{cell_h - 2}" fill="{cell_colour(ratio, err)}">'
                f"<title>{escape(tip)}</title></rect>"
            )
            if err and err < FAILING:
                radius = max(1.5, math.sqrt(err) * (min(cell_w, cell_h) / 2 - 1))
                out.append(
                    f'<circle cx="{x + cell_w / 2:.1f}" cy="{y + cell_h / 2:.1f}" '
                    f'r="{radius:.1f}" fill="#111827" fill-opacity="0.75"/>'
                )
    out += _x_ticks(grid.col_labels, LABEL_W, cell_w, rows * cell_h + 15, _every(cols, cell_w))
    out.append("</svg>")
    return Markup("".join(out))


TIMELINE_COLOURS = {
    "fault": "#b91c1c",
    "detector": "#d97706",
    "restore": "#0e7490",
    "green": "#15803d",
    "missed": "#9ca3af",
}


def timeline_svg(timeline: Timeline) -> Markup:
    """The drill on one axis (seconds after the fault): runs as bars, moments as marks."""
    rows = timeline.rows
    label_w, row_h, top = 170, 20, 20
    plot_w = LABEL_W + PLOT_W - label_w
    width = label_w + plot_w
    height = top + len(rows) * row_h + 6
    end = timeline.end_s

    def x(at: float) -> float:
        return label_w + max(0.0, min(at, end)) / end * (plot_w - 60)

    out = [
        f'<svg class="heat" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="drill {escape(timeline.drill)} timeline">'
    ]
    step = next((s for s in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600) if end / s <= 8), 900)
    tick = 0.0
    while tick <= end:
        out.append(
            f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{top - 4}" y2="{height}" '
            'stroke="#e5e7eb"/>'
            f'<text x="{x(tick):.1f}" y="{top - 8}" text-anchor="middle" {FONT}>{tick:g} s</text>'
        )
        tick += step
    for r, item in enumerate(rows):
        y = top + r * row_h
        mid = y + row_h / 2
        out.append(
            f'<text x="{label_w - 8}" y="{mid + 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="#1f2937">{escape(item.label)}</text>'
        )
        if hasattr(item, "start_s"):  # a run (Span), drawn as a bar
            out.append(
                f'<rect x="{x(item.start_s):.1f}" y="{y + 5}" rx="3" height="{row_h - 10}" '
                f'width="{max(2.0, x(item.end_s) - x(item.start_s)):.1f}" fill="#93c5fd">'
                f"<title>{escape(item.label)}: {item.start_s:.0f}–{item.end_s:.0f} s</title></rect>"
            )
            continue
        colour = TIMELINE_COLOURS.get(item.kind, "#4b5563")
        if item.at_s is None:
            out.append(
                f'<text x="{label_w}" y="{mid + 4:.1f}" font-size="11" fill="{colour}">'
                f"not fired</text>"
            )
            continue
        note = f"{item.at_s:.1f} s" if item.kind == "detector" else ""
        if item.kind == "detector" and item.at_s <= 0:
            note = "before it ran"
        out.append(
            f'<circle cx="{x(item.at_s):.1f}" cy="{mid:.1f}" r="5.5" fill="{colour}">'
            f"<title>{escape(item.label)}: {escape(item.note or note)}</title></circle>"
        )
        if note:
            out.append(
                f'<text x="{x(item.at_s) + 9:.1f}" y="{mid + 4:.1f}" {FONT}>{escape(note)}</text>'
            )
    out.append("</svg>")
    return Markup("".join(out))


def relative_svg(grid: Grid) -> Markup:
    """Stage rows × time columns coloured by p95 against the stage's usual p95."""
    rows, cols = grid.shape
    if not rows or not cols:
        return NO_SAMPLES
    cell_w, cell_h = PLOT_W / cols, 20
    out = [_stage_svg_open(grid, cell_h)]
    for r, stage in enumerate(grid.row_labels):
        y = r * cell_h
        out.append(_stage_label(stage, y, cell_h))
        for c in range(cols):
            value = grid.values[r][c]
            if value is None:
                continue
            tip = f"{stage} from {grid.col_labels[c]}: p95 {value:.1f}× the stage's usual p95"
            out.append(
                f'<rect x="{LABEL_W + c * cell_w:.1f}" y="{y + 1}" '
                f'width="{max(cell_w - 1, 0.6):.1f}" height="{cell_h - 2}" '
                f'fill="{relative_colour(value)}"><title>{escape(tip)}</title></rect>'
            )
    out += _x_ticks(grid.col_labels, LABEL_W, cell_w, rows * cell_h + 15, _every(cols, cell_w))
    out.append("</svg>")
    return Markup("".join(out))


def latency_svg(grid: Grid, deadline_ms: float | None = None, levels: int = 8) -> Markup:
    """Time × log-latency rows, count as colour: one path per colour level keeps it small."""
    rows, cols = grid.shape
    if not rows or not cols:
        return Markup('<p class="muted">No samples.</p>')
    cell_w = PLOT_W / cols
    cell_h = max(6.0, min(14.0, 220 / rows))
    width = LABEL_W + PLOT_W
    height = rows * cell_h + AXIS_H
    top = grid.max_value()
    paths: dict[int, list[str]] = {}
    for r in range(rows):
        for c in range(cols):
            level = count_level(grid.values[r][c], top, levels)
            if level:
                x = LABEL_W + c * cell_w
                paths.setdefault(level, []).append(
                    f"M{x:.1f} {r * cell_h:.1f}h{cell_w:.1f}v{cell_h:.1f}h{-cell_w:.1f}z"
                )
    out = [
        f'<svg class="heat" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="latency of {escape(grid.title)} over time">',
        f'<rect x="{LABEL_W}" y="0" width="{PLOT_W}" height="{rows * cell_h:.1f}" fill="#f9fafb"/>',
    ]
    for level in sorted(paths):
        out.append(f'<path fill="{count_colour(level, levels)}" d="{"".join(paths[level])}"/>')
    step = max(1, math.ceil(14 / cell_h))
    for r in range(0, rows, step):
        out.append(
            f'<text x="{LABEL_W - 6}" y="{(r + 1) * cell_h:.1f}" text-anchor="end" {FONT}>'
            f"{escape(grid.row_labels[r])}</text>"
        )
    y_deadline = _deadline_y(grid, deadline_ms, cell_h)
    if y_deadline is not None:
        out.append(
            f'<line x1="{LABEL_W}" x2="{width}" y1="{y_deadline:.1f}" y2="{y_deadline:.1f}" '
            'stroke="#dc2626" stroke-width="1.5" stroke-dasharray="5 3"/>'
            f'<text x="{width - 4}" y="{max(y_deadline - 3, 10):.1f}" text-anchor="end" '
            'font-size="11" font-weight="600" fill="#dc2626" stroke="#ffffff" '
            'stroke-width="3" paint-order="stroke">'
            f"deadline {escape(format_ms(deadline_ms or 0))}</text>"
        )
    out += _x_ticks(grid.col_labels, LABEL_W, cell_w, rows * cell_h + 15, _every(cols, cell_w))
    out.append("</svg>")
    return Markup("".join(out))


def _deadline_y(grid: Grid, deadline_ms: float | None, cell_h: float) -> float | None:
    """Where the deadline falls on the row axis (rows are lower bounds, slowest first)."""
    if not deadline_ms:
        return None
    lows = grid.row_values or []
    if not lows or deadline_ms < lows[-1]:
        return None
    step = lows[0] / lows[1] if len(lows) > 1 and lows[1] > 0 else 2.0
    if deadline_ms >= lows[0] * step:
        return None  # above every sample: the card's heading names the deadline
    for r, low in enumerate(lows):
        if deadline_ms >= low:
            high = lows[r - 1] if r > 0 else lows[0] * step
            if high <= low or low <= 0:
                return (r + 1) * cell_h
            f = math.log(deadline_ms / low) / math.log(high / low)
            return (r + 1 - min(f, 1.0)) * cell_h
    return None


def week_hour_svg(grid: Grid, levels: int = 8) -> Markup:
    """Weekday rows × 24 hour columns, ticket count as colour."""
    rows, cols = grid.shape
    cell_w, cell_h, label_w = 19.0, 17.0, 34
    width = label_w + cols * cell_w
    height = rows * cell_h + AXIS_H
    top = grid.max_value()
    out = [
        f'<svg class="heat" viewBox="0 0 {width:.0f} {height}" width="{width:.0f}" '
        f'height="{height}" role="img" aria-label="{escape(grid.title)} by hour and weekday">'
    ]
    for r, day in enumerate(grid.row_labels):
        out.append(
            f'<text x="{label_w - 6}" y="{r * cell_h + 12}" text-anchor="end" {FONT}>'
            f"{escape(day)}</text>"
        )
        for c in range(cols):
            value = grid.values[r][c]
            level = count_level(value, top, levels)
            tip = f"{day} {grid.col_labels[c]}:00 UTC: {int(value or 0)} {grid.unit}"
            out.append(
                f'<rect x="{label_w + c * cell_w:.0f}" y="{r * cell_h}" width="{cell_w - 1:.0f}" '
                f'height="{cell_h - 1}" rx="2" fill="{count_colour(level, levels)}">'
                f"<title>{escape(tip)}</title></rect>"
            )
    for c in range(0, cols, 3):
        out.append(
            f'<text x="{label_w + c * cell_w:.0f}" y="{rows * cell_h + 14}" {FONT}>'
            f"{escape(grid.col_labels[c])}</text>"
        )
    out.append("</svg>")
    return Markup("".join(out))


def ratio_legend() -> Markup:
    stops = [0.0, 0.25, 0.5, 0.75, 0.9, 1.0, 1.25, 1.5, 2.0, 3.0]
    cells = "".join(f'<span class="sw" style="background:{ratio_colour(s)}"></span>' for s in stops)
    return Markup(f'<span class="legend">0× {cells} ≥3× deadline</span>')


def failed_legend() -> Markup:
    cells = "".join(
        f'<span class="sw" style="background:{failed_colour(s)}"></span>'
        for s in (0.5, 0.625, 0.75, 0.875, 1.0)
    )
    return Markup(f'<span class="legend">most failed: 50 % {cells} 100 %</span>')


def relative_legend() -> Markup:
    stops = (1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0)
    cells = "".join(
        f'<span class="sw" style="background:{relative_colour(s)}"></span>' for s in stops
    )
    return Markup(f'<span class="legend">1× {cells} ≥5× the usual p95</span>')


def count_legend(levels: int = 8) -> Markup:
    cells = "".join(
        f'<span class="sw" style="background:{count_colour(lv, levels)}"></span>'
        for lv in range(1, levels + 1)
    )
    return Markup(f'<span class="legend">few {cells} many (log scale)</span>')
