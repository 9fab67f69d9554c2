"""Rich rendering of findings for people: a table, each fix under its finding, a summary line."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from driftline.findings import Finding, Severity
from driftline.output.summary import sentence

STYLES = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def print_findings(
    console: Console, findings: Sequence[Finding], *, title: str, fail_on: Severity
) -> None:
    if not findings:
        console.print(Text(f"✓ {title}: no findings", style="green"))
        return
    table = Table(title=title, title_justify="left", expand=True, show_lines=True)
    table.add_column("severity", no_wrap=True, width=8)
    table.add_column("kind", overflow="fold", ratio=3, min_width=19)
    table.add_column("object", overflow="fold", ratio=4)
    table.add_column("message / fix", overflow="fold", ratio=7)
    for f in findings:
        body = Text(f.message)
        where = f"{f.file}:{f.line}" if f.file and f.line else (f.file or "")
        if where:
            body.append(f"\n{where}", style="dim")
        if f.fix:
            body.append("\nfix: ", style="bold")
            body.append(f.fix, style="green")
        table.add_row(Text(f.severity.label, style=STYLES[f.severity]), f.kind, f.object, body)
    console.print(table)
    failing = sum(1 for f in findings if f.severity >= fail_on)
    verdict = (
        Text(f"✗ {failing} at or above {fail_on.label}", style="bold red")
        if failing
        else Text(f"✓ nothing at or above {fail_on.label}", style="green")
    )
    console.print(Text(f"{sentence(findings)} — ").append(verdict))
