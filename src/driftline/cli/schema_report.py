"""``driftline schema report``: the daily baseline report (markdown or HTML, optional webhook).

Added to the ``schema`` sub-app by :func:`add_commands`, called from :mod:`driftline.cli.schema`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from driftline.cli._common import PlainUsage, fail_on_option
from driftline.errors import UsageError
from driftline.findings import Severity


def add_commands(schema_app: typer.Typer) -> None:
    """Add ``report`` to the ``schema`` sub-app."""
    schema_app.command("report", cls=PlainUsage)(report)


def _format_for(fmt: str | None, out: Path | None) -> str:
    from driftline.schema_report.render import FORMATS

    if fmt is None:
        return "html" if out is not None and out.suffix.lower() in (".html", ".htm") else "markdown"
    if fmt not in FORMATS:
        raise UsageError.unknown("report format", fmt, FORMATS)
    return fmt


def report(
    db: str = typer.Option(..., "--db", help="Database URL (password never printed)."),
    baseline: Path = typer.Option(..., "--baseline", help="Schema baseline file to compare with."),
    out: Path | None = typer.Option(None, "--output", "-o", help="Write here, not to stdout."),
    fmt: str | None = typer.Option(
        None,
        "--format",
        "-f",
        help="markdown or html (default: html when -o ends in .html, else markdown).",
    ),
    webhook: str | None = typer.Option(
        None,
        "--webhook",
        envvar="DRIFTLINE_WEBHOOK_URL",
        help="POST a JSON summary here; a failed POST is reported but never changes the exit code.",
    ),
    fail_on: str = fail_on_option(),
) -> int:
    """The daily baseline report: a live database against its committed schema baseline."""
    from driftline.schema_report import check_webhook_url, post_json, render_report
    from driftline.schema_report.build import build_report

    fmt = _format_for(fmt, out)
    threshold = Severity.parse(fail_on)
    if webhook:
        check_webhook_url(webhook)
    daily = build_report(db, baseline, fail_on=threshold)
    text = render_report(daily, fmt)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    if webhook:
        sent = post_json(webhook, daily.summary())
        level = "" if sent.ok else "warning: "
        print(f"driftline: {level}{sent.describe()}", file=sys.stderr)
    raise typer.Exit(daily.exit_code)
