"""The self-contained HTML report: one file, inline CSS and SVG, no scripts, no network."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from driftline.report import svg
from driftline.report.build import Report, build_report
from driftline.report.heatmap import busiest_cell, format_ms, format_ratio, night_share
from driftline.report.stagerows import HEADINGS, format_actual, format_limit, row_cells


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("driftline.report", "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["ms"] = lambda v: "–" if v is None else format_ms(v)
    env.filters["pct"] = lambda v, d=1: "–" if v is None else f"{v:.{d}%}"
    env.filters["signed_pct"] = lambda v: "–" if v is None else f"{v:+.0%}"
    env.filters["signed_pp"] = lambda v: "–" if v is None else f"{v * 100:+.1f} pp"
    env.filters["ratio"] = lambda v: "–" if v is None else format_ratio(v)
    env.filters["limit"] = format_limit
    env.filters["actual"] = format_actual
    return env


def render_html(report: Report) -> str:
    """The report as one HTML document."""
    deadlines = {row.stage: row.deadline_ms for row in report.stages}
    template = _env().get_template("report.html.j2")
    return template.render(
        r=report,
        headings=HEADINGS,
        stage_rows=[(row, row_cells(row)) for row in report.stages],
        stage_svg=svg.stage_time_svg(report.stage_grid),
        relative_svg=svg.relative_svg(report.relative_grid),
        timeline_svg=svg.timeline_svg(report.timeline) if report.timeline else None,
        failed_legend=svg.failed_legend(),
        relative_legend=svg.relative_legend(),
        latency=[
            (g, svg.latency_svg(g, deadlines.get(g.title)), deadlines.get(g.title))
            for g in report.latency_grids
        ],
        hours=[
            (g, svg.week_hour_svg(g), busiest_cell(g), night_share(g))
            for g in (report.hours.grids if report.hours else [])
        ],
        ratio_legend=svg.ratio_legend(),
        count_legend=svg.count_legend(),
        column_s=report.stage_grid.notes.get("column_s", ""),
    )


def write_html(report: Report, out: str | Path) -> Path:
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report), encoding="utf-8")
    return path


def write_html_report(
    run_dir: str | Path,
    out: str | Path,
    *,
    compare: str | Path | None = None,
    db_url: str | None = None,
) -> Path:
    """Build the report of ``run_dir`` (against ``compare``) and write it to ``out``."""
    return write_html(build_report(run_dir, db_url=db_url, compare_dir=compare), out)
