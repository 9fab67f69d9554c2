"""Options and helpers shared by the commands."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
import typer.core

from driftline import output
from driftline.findings import Finding, Severity, exit_code_for

if TYPE_CHECKING:
    from rich.console import Console

FORMAT_HELP = f"Output format: {', '.join(output.FORMATS)}."


class PlainUsage(typer.core.TyperCommand):
    """A command whose usage line names its arguments plainly (``FILE...``, ``RUN_DIR``), not in
    Typer's braces (``{files}...``)."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if getattr(param, "param_type_name", "") == "argument":
                name = (param.metavar or param.name or "").upper()
                pieces.append(name if param.nargs == 1 else f"{name}...")
        return pieces


def format_option(default: str = "terminal") -> str:
    return typer.Option(default, "--format", "-f", help=FORMAT_HELP)


def fail_on_option() -> str:
    return typer.Option("error", "--fail-on", help="Exit 1 when a finding is at or above this.")


def stdout_console() -> Console:
    """The console commands print to; never wider than 100 columns."""
    from rich.console import Console

    console = Console()
    if console.width > 100:
        console = Console(width=100)
    return console


def stderr_console() -> Console:
    from rich.console import Console

    console = Console(stderr=True)
    if console.width > 100:
        console = Console(stderr=True, width=100)
    return console


def report_findings(
    findings: Sequence[Finding],
    fmt: str,
    *,
    title: str,
    fail_on: str | Severity = "error",
    out: Path | None = None,
) -> int:
    """Print (or write to ``out``) findings in ``fmt`` and return the exit code they mean."""
    threshold = Severity.parse(fail_on)
    output.check_format(fmt)
    if out is not None:
        text = output.render(findings, fmt, title=title, fail_on=threshold)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    elif fmt == "terminal":
        output.emit(findings, fmt, console=stdout_console(), title=title, fail_on=threshold)
    else:  # machine formats are plain text: no console (nor Rich) in between
        sys.stdout.write(output.render(findings, fmt, title=title, fail_on=threshold))
        sys.stdout.flush()
    return exit_code_for(findings, threshold)
