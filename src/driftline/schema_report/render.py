"""Render a :class:`DailyReport` as markdown (job summaries, chat, wikis) or self-contained HTML.

HTML goes through Jinja2 with autoescaping on: object names, messages and fix SQL come from a
database and are never trusted as markup.
"""

from __future__ import annotations

from typing import Any

import jinja2

from driftline.errors import UsageError
from driftline.findings import Severity
from driftline.output.markdown import ICONS, cell, code
from driftline.output.summary import sentence
from driftline.schema_report.model import DailyReport

FORMATS = ("markdown", "html")
STATUS_ICONS = {"clean": "🟢", "drift": "🟡", "failing": "🔴"}

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("driftline.schema_report", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def render_report(report: DailyReport, fmt: str) -> str:
    """The report in one of :data:`FORMATS`."""
    if fmt == "markdown":
        return render_markdown(report)
    if fmt == "html":
        return render_html(report)
    raise UsageError.unknown("report format", fmt, FORMATS)


def _facts(report: DailyReport) -> list[tuple[str, str]]:
    facts = [("database", report.database), ("baseline", report.baseline)]
    if report.dialect:
        version = f" {report.server_version}" if report.server_version else ""
        facts.append(("dialect", f"{report.dialect}{version}"))
    facts.append(("generated", report.generated_at.strftime("%Y-%m-%d %H:%M:%S %Z").strip()))
    if report.tables is not None:
        facts.append(("baseline objects", f"{report.tables} tables, {report.indexes or 0} indexes"))
    if report.elapsed_s is not None:
        facts.append(("check took", f"{report.elapsed_s:.2f} s"))
    return facts


def _verdict(report: DailyReport) -> str:
    if report.status == "clean":
        return "matches the baseline"
    failing = sum(1 for f in report.findings if f.severity >= report.fail_on)
    if failing:
        return f"{failing} at or above {report.fail_on.label}"
    return f"nothing at or above {report.fail_on.label}"


def render_markdown(report: DailyReport) -> str:
    icon = STATUS_ICONS[report.status]
    lines = ["## driftline daily baseline report", ""]
    lines += [f"- **{name}**: {code(value)}" for name, value in _facts(report)]
    lines += [
        "",
        f"**{icon} {report.status}** — {_summary_sentence(report)} — {_verdict(report)}",
    ]
    if report.critical:
        lines += ["", "### SLA-critical objects", "", "| object | state |", "|---|---|"]
        for c in report.critical:
            f = c.finding
            state = (
                "🟢 as in baseline"
                if f is None
                else f"{ICONS[f.severity]} {cell(f.kind)}: {cell(f.message)}"
            )
            lines.append(f"| {code(c.name)} | {state} |")
    if report.findings:
        lines += ["", "### Findings", "", "| severity | kind | object | message | fix |"]
        lines.append("|---|---|---|---|---|")
        for f in report.findings:
            fix = code(f.fix)
            lines.append(
                f"| {ICONS[f.severity]} {f.severity.label} | {cell(f.kind)} | {cell(f.object)} "
                f"| {cell(f.message)} | {fix} |"
            )
    return "\n".join(lines) + "\n"


def _summary_sentence(report: DailyReport) -> str:
    return sentence(report.findings)


def render_html(report: DailyReport) -> str:
    context: dict[str, Any] = {
        "r": report,
        "facts": _facts(report),
        "summary": _summary_sentence(report),
        "verdict": _verdict(report),
        "severities": [s.label for s in sorted(Severity, reverse=True)],
    }
    return _env.get_template("daily_report.html.j2").render(context)


__all__ = ["FORMATS", "render_html", "render_markdown", "render_report"]
