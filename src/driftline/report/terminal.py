"""The report in a terminal: rich renderables of the same grids and figures, at 100 columns.

Every cell is a character whose shape carries the level (so it reads with colour off) and whose
colour repeats it; the grids themselves come from :mod:`driftline.report.heatmap`.
"""

from __future__ import annotations

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from driftline.report.build import Report
from driftline.report.heatmap import Grid, busiest_cell, format_ms, night_share
from driftline.report.palette import cell_colour, count_colour, count_level, relative_colour
from driftline.report.stagerows import NOT_REACHED, row_cells

RATIO_CHARS = ((0.5, "·"), (0.8, "░"), (1.0, "▒"), (1.5, "▓"), (float("inf"), "█"))
RELATIVE_CHARS = ((1.25, "·"), (1.5, "░"), (2.0, "▒"), (3.0, "▓"), (float("inf"), "█"))
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
            style = cell_colour(ratio, err) if ratio is not None or err else ""
            text.append(ratio_char(ratio, err), style=style)
        text.append("\n")
    if cols:
        text.append_text(_axis(grid, cols))
    return text


def relative_text(grid: Grid) -> Text:
    """Stage × time cells of p95 against the stage's usual p95 (shape and colour)."""
    rows, cols = grid.shape
    text = Text()
    for r in range(rows):
        text.append(f"{grid.row_labels[r][:LABEL_W]:>{LABEL_W}} ", style="bold")
        for c in range(cols):
            value = grid.values[r][c]
            if value is None:
                text.append(" ")
                continue
            char = next(ch for limit, ch in RELATIVE_CHARS if value < limit)
            text.append(char, style=relative_colour(value))
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


#: The terminal's stage columns: (cell key of :func:`row_cells`, heading); the later ones go
#: first when the terminal is narrow (a column is dropped whole, never cut).
STAGE_COLUMNS = (
    ("samples", "n"),
    ("completed", "completed"),
    ("missed", "missed"),
    ("errors", "errors"),
    ("p95", "p95"),
    ("deadline", "deadline"),
    ("ratio", "p95/dl"),
    ("trend", "p95 early → late"),
)
MIN_STAGE_COLUMNS = 4


def _stage_table(report: Report, columns: int = len(STAGE_COLUMNS)) -> Table:
    """The stage figures, each the same text as in the HTML report (:func:`row_cells`)."""
    table = Table(title="Stages", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("stage", no_wrap=True)
    for _, heading in STAGE_COLUMNS[:columns]:
        table.add_column(heading, justify="right", no_wrap=True)
    for row in report.stages:
        hot = row.stage == report.bottleneck.stage
        cells = row_cells(row)
        texts = [
            Text(cells[key], style="bold red" if cells[key] == NOT_REACHED else "")
            for key, _ in STAGE_COLUMNS[:columns]
        ]
        table.add_row(Text(row.stage, style="bold red" if hot else "bold"), *texts)
    return table


class StageTable:
    """The stage table with as many columns as the console's width holds whole."""

    def __init__(self, report: Report) -> None:
        self.report = report

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for columns in range(len(STAGE_COLUMNS), MIN_STAGE_COLUMNS - 1, -1):
            table = _stage_table(self.report, columns)
            wide = options.update_width(10_000)
            if Measurement.get(console, wide, table).maximum <= options.max_width:
                break
        yield table


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


class _Findings:
    """The run's findings, laid out like every check's (a table if it fits, else a list)."""

    def __init__(self, report: Report) -> None:
        self.report = report

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from driftline.output.terminal import findings_renderable

        yield findings_renderable(self.report.findings, title="Findings", width=options.max_width)


def _findings_table(report: Report) -> _Findings | None:
    return _Findings(report) if report.findings else None


def report_renderables(report: Report) -> list[RenderableType]:
    """Everything, top to bottom: verdict and bottleneck first, then the heatmaps."""
    col_s = report.stage_grid.notes.get("column_s", "")
    legend = Text(
        f"cell = {col_s} s · p95/deadline: · <0.5  ░ <0.8  ▒ <1  ▓ <1.5  █ ≥1.5  "
        f"{ERROR_CHAR} failed ≥{ERROR_MARK:.0%} (missed or erred)",
        style="dim",
    )
    parts: list[RenderableType] = [_bottleneck_panel(report)]
    if report.timeline is not None:
        from driftline.drills.render import TimelineView

        parts += [TimelineView(report.timeline), Text("")]
    parts += [
        Text("Stages over time", style="bold underline"),
        stage_time_text(report.stage_grid),
        legend,
        Text(""),
        Text(
            "p95 against each stage's usual p95 (its median over the run)", style="bold underline"
        ),
        relative_text(report.relative_grid),
        Text("· <1.25×  ░ <1.5×  ▒ <2×  ▓ <3×  █ ≥3× the usual p95", style="dim"),
        Text(""),
        StageTable(report),
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
