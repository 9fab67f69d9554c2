"""Markdown: a heading, a summary line and a table; fixes in code spans."""

from __future__ import annotations

from collections.abc import Sequence

from driftline.findings import Finding, Severity
from driftline.output.summary import sentence

ICONS = {Severity.ERROR: "🔴", Severity.WARNING: "🟡", Severity.INFO: "🔵"}


def cell(text: str | None) -> str:
    """Escape a value for a markdown table cell."""
    if not text:
        return ""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>")


def render(findings: Sequence[Finding], title: str, fail_on: Severity) -> str:
    lines = [f"### {title}", ""]
    failing = sum(1 for f in findings if f.severity >= fail_on)
    verdict = f"**{failing} at or above {fail_on.label}**" if failing else "nothing to fail on"
    lines.append(f"{sentence(findings)} — {verdict}")
    if findings:
        lines += ["", "| severity | kind | object | message | fix |", "|---|---|---|---|---|"]
        for f in findings:
            where = f" ({f.file}:{f.line})" if f.file and f.line else ""
            fix = f"`{cell(f.fix)}`" if f.fix else ""
            lines.append(
                f"| {ICONS[f.severity]} {f.severity.label} | {cell(f.kind)} | {cell(f.object)} "
                f"| {cell(f.message)}{cell(where)} | {fix} |"
            )
    return "\n".join(lines) + "\n"
