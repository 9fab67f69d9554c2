"""Bottleneck heatmap reports of a stress run directory (``driftline report``).

Numbers first, drawing second: :func:`build_report` reads the run (and optionally the ticket
database and a second run to compare with) into a :class:`Report` of plain grids and evidence;
:func:`render_html` and :func:`render_terminal` only draw it.
"""

from driftline.report.bottleneck import Bottleneck, find_bottleneck
from driftline.report.build import Report, build_report
from driftline.report.compare import Comparison, StageDelta, compare_runs
from driftline.report.heatmap import Grid, latency_grids, stage_time_grid, week_hour_grid
from driftline.report.hours import TicketHours, read_ticket_hours
from driftline.report.html import render_html, write_html, write_html_report
from driftline.report.rundir import RunData, load_run
from driftline.report.stagerows import StageRow, stage_rows
from driftline.report.terminal import render_terminal, report_renderables

__all__ = [
    "Bottleneck",
    "Comparison",
    "Grid",
    "Report",
    "RunData",
    "StageDelta",
    "StageRow",
    "TicketHours",
    "build_report",
    "compare_runs",
    "find_bottleneck",
    "latency_grids",
    "load_run",
    "read_ticket_hours",
    "render_html",
    "render_terminal",
    "report_renderables",
    "stage_rows",
    "stage_time_grid",
    "week_hour_grid",
    "write_html",
    "write_html_report",
]
