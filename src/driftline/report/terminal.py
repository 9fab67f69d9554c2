"""The report in a terminal: rich renderables of the same grids, readable at 100 columns.

Every cell is a character whose shape carries the level (so it reads with colour off) and whose
colour repeats it; the grids themselves come from :mod:`driftline.report.heatmap`.
"""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from driftline.report.build import Report
from driftline.report.heatmap import Grid, busiest_cell, format_ms, format_ratio, night_share
from driftline.report.palette import count_colour, count_level, ratio_colour

RATIO_CHARS = ((0.5, "·"), (0.8, "░"), (1.0, "▒"), (1.5, "▓"), (float("inf"), "█"))
ERROR_CHAR = "×"
ERROR_MARK = 0.10
COUNT_CHARS = " .:-=+*#@"
LABEL_W = 10
VERDICT_STYLE = {"pass": "bold green", "fail": "bold red"}


def ratio_char(ratio: float | None, error_rate: float | None = None) -> str:
    if ratio is None and error_rate is None:
        return " "
    if error_rate is not None and error_rate >= ERROR_MARK:
        return ERROR_CHAR
    if ratio is None:
        return "?"
    return next(ch for limit, ch in RATIO_CHARS if ratio < limit)


def _axis(grid: Grid, cols: int, label_w: int = LABEL_W, every: int = 10, cell_w: int = 1) -> Text:
    line = ""
    for c in range(0, cols, every):
        line = line.ljust(c * cell_w) + grid.col_labels[c]
    return Text(" " * (label_w + 1) + line, style="dim")


def stage_time_text(grid: Grid) -> Text:
    rows, cols = grid.shape
    text = Text()
    for r in range(rows):
        text.append(f"{grid.row_labels[r][:LABEL_W]:>{LABEL_W}} ", style="bold")
        for c in range(cols):
            ratio = grid.values[r][c]
            err = grid.overlay[r][c] if grid.overlay else None
            text.append(ratio_char(ratio, err), style=ratio_colour(ratio) if ratio else "")
        text.append("\n")
    if cols:
        text.append_text(_axis(grid, cols))
    return text


def count_grid_text(
    grid: Grid, label_w: int = LABEL_W, *, cell_w: int = 1, every: int = 10
) -> Text:
    rows, cols = grid.shape
    top = grid.max_value()
    levels = len(COUNT_CHARS) - 1
    text = Text()
    for r in range(rows):
        text.append(f"{grid.row_labels[r][:label_w]:>{label_w}} ", style="dim")
        for c in range(cols):
            level = count_level(grid.values[r][c], top, levels)
            cell = COUNT_CHARS[level] * cell_w
            text.append(cell, style=count_colour(level, levels) if level else "")
        text.append("\n")
    if cols:
        text.append_text(_axis(grid, cols, label_w, every, cell_w))
    return text


def _bottleneck_panel(report: Report) -> Panel:
    b = report.bottleneck
    body = Text()
    if b.stage:
        body.append("Bottleneck: " if b.pressing else "Closest to its deadline: ", style="bold")
        body.append(b.stage, style="bold red" if b.pressing else "bold")
        body.append("\n")
    body.append(b.headline)
    for line in b.evidence:
        body.append(f"\n  • {line}")
    verdict = Text(report.verdict.upper(), style=VERDICT_STYLE.get(report.verdict, "bold yellow"))
    title = Text.assemble("Run ", (report.run_id, "bold"), " · verdict ", verdict)
    return Panel(
        body, title=title, title_align="left", border_style="red" if b.pressing else "green"
    )


def _stage_table(report: Report) -> Table:
    table = Table(title="Stages", title_justify="left", expand=False, pad_edge=False)
    for name in ("stage", "n", "p50", "p95", "deadline", "p95/dl", "errors", "p95 early→late"):
        table.add_column(name, justify="left" if name == "stage" else "right")
    for ev in report.bottleneck.stages:
        hot = ev.stage == report.bottleneck.stage
        table.add_row(
            Text(ev.stage, style="bold red" if hot else "bold"),
            str(ev.count),
            _ms(ev.p50_ms),
            _ms(ev.p95_ms),
            _ms(ev.deadline_ms),
            "–" if ev.ratio is None else format_ratio(ev.ratio),
            f"{ev.error_rate:.1%}",
            f"{_ms(ev.early_p95_ms)}→{_ms(ev.late_p95_ms)}",
        )
    return table


def _compare_table(report: Report) -> Table | None:
    cmp = report.comparison
    if cmp is None:
        return None
    table = Table(title=f"Compared with {cmp.baseline_id} (this / earlier)", title_justify="left")
    for name in ("stage", "p50", "p95", "Δ p95", "errors", "Δ errors"):
        table.add_column(name, justify="left" if name == "stage" else "right")
    for d in cmp.deltas:
        now, before = d.current, d.baseline
        change = d.change("p95_ms")
        err = d.error_rate_change
        table.add_row(
            Text(d.stage, style="bold red" if d.worse else "bold"),
            f"{_ms(now.p50_ms if now else None)} / {_ms(before.p50_ms if before else None)}",
            f"{_ms(now.p95_ms if now else None)} / {_ms(before.p95_ms if before else None)}",
            Text("–" if change is None else f"{change:+.0%}", style="red" if d.worse else ""),
            f"{now.error_rate:.1%} / {before.error_rate:.1%}" if now and before else "–",
            "–" if err is None else f"{err * 100:+.1f} pp",
        )
    return table


def _findings_table(report: Report) -> Table | None:
    if not report.findings:
        return None
    table = Table(title="Findings", title_justify="left")
    for name in ("severity", "kind", "object", "message"):
        table.add_column(name)
    for f in report.findings:
        style = {"error": "red", "warning": "yellow"}.get(f.severity.label, "blue")
        table.add_row(Text(f.severity.label, style=style), f.kind, f.object, f.message)
    return table


def report_renderables(report: Report) -> list[RenderableType]:
    """Everything, top to bottom: verdict and bottleneck first, then the heatmaps."""
    col_s = report.stage_grid.notes.get("column_s", "")
    legend = Text(
        f"cell = {col_s} s · p95/deadline: · <0.5  ░ <0.8  ▒ <1  ▓ <1.5  █ ≥1.5  "
        f"{ERROR_CHAR} errors ≥{ERROR_MARK:.0%}",
        style="dim",
    )
    parts: list[RenderableType] = [
        _bottleneck_panel(report),
        Text("Stages over time", style="bold underline"),
        stage_time_text(report.stage_grid),
        legend,
        Text(""),
        _stage_table(report),
        Text(""),
        Text("Latency by stage (rows: latency, log scale; . few → @ many)", style="bold underline"),
    ]
    for grid in report.latency_grids:
        parts.append(Text(grid.title, style="bold"))
        parts.append(count_grid_text(grid))
    if report.hours:
        parts.append(Text(f"Tickets by weekday × hour (UTC), {report.hours.source}", style="bold"))
        for grid in report.hours.grids:
            parts.append(Text(grid.title, style="bold"))
            parts.append(count_grid_text(grid, label_w=4, cell_w=2, every=3))
            parts.append(_hours_note(grid))
    for extra in (_compare_table(report), _findings_table(report)):
        if extra is not None:
            parts.append(extra)
    return parts


def render_terminal(report: Report, console: Console) -> None:
    console.print(Group(*report_renderables(report)))


def _hours_note(grid: Grid) -> Text:
    peak, night = busiest_cell(grid), night_share(grid)
    if peak is None or night is None:
        return Text("no tickets", style="dim")
    text = Text(f"busiest {peak[0]} {peak[1]}:00 ({int(peak[2])}) · ", style="dim")
    text.append(f"{night:.0%} at night (22–06)", style="bold red" if night >= 0.25 else "dim")
    return text


def _ms(value: float | None) -> str:
    return "–" if value is None else format_ms(value)
