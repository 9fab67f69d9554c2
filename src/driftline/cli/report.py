"""``driftline report RUN_DIR``: the bottleneck heatmap report, as HTML and in the terminal."""

from __future__ import annotations

from pathlib import Path

import typer

from driftline.cli._common import PlainUsage, stdout_console


def report_command(
    run_dir: Path = typer.Argument(..., help="A stress run directory (holding run.json)."),
    out: Path = typer.Option(
        None, "--output", "-o", help="Write the HTML report here (default RUN_DIR/report.html)."
    ),
    db: str = typer.Option(
        None, "--db", help="Ticket database URL for the 24-hour heat maps (read only)."
    ),
    compare: Path = typer.Option(
        None, "--compare", help="An earlier run directory: show per-stage deltas against it."
    ),
    terminal: bool = typer.Option(
        False,
        "--terminal",
        help="Draw the report in the terminal (and write HTML only when -o is given).",
    ),
) -> int:
    """Turn a stress run into one self-contained HTML bottleneck heatmap report."""
    from driftline.report import build_report, render_terminal, write_html

    report = build_report(run_dir, db_url=db, compare_dir=compare)
    console = stdout_console()
    if terminal:
        render_terminal(report, console)
        if out is None:
            return 0
    path = write_html(report, out if out is not None else Path(run_dir) / "report.html")
    console.print(f"report written to {path} · bottleneck: {report.bottleneck.stage or 'none'}")
    return 0


def register(app: typer.Typer) -> None:
    """Add ``driftline report``."""
    app.command("report", cls=PlainUsage)(report_command)
