"""What people and CI see of a drill: the timeline, which detectors fired and when, as findings.

The timeline comes first: one axis (seconds after the fault) with the fault, both stress runs,
each detector's first sign and the restore, readable in a second. Below it, per phase, the
detectors and what they saw. :func:`drill_findings` is the same outcome for ``--format``.
"""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.table import Table
from rich.text import Text

from driftline.drills.runner import DrillResult, Phase
from driftline.drills.timeline import Mark, Span, Timeline, timeline_of
from driftline.findings import Finding, Severity

LABEL_W = 24
MARKS = {"fault": "▼", "detector": "●", "restore": "▲", "green": "✓", "missed": "·"}
STYLES = {
    "fault": "bold red",
    "detector": "bold yellow",
    "restore": "bold cyan",
    "green": "bold green",
    "missed": "dim",
}


class TimelineView:
    """The timeline drawn to the console's width (a rich renderable)."""

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield timeline_text(self.timeline, options.max_width)


def _ticks(end_s: float, track: int) -> Text:
    """An axis line with a few round second marks."""
    step = next(
        (s for s in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600) if end_s / s <= track / 10), 900
    )
    line = [" "] * track
    at = 0.0
    while at <= end_s:
        col = round(at / end_s * (track - 1))
        label = f"{at:g}s"
        if col + len(label) <= track and all(c == " " for c in line[col : col + len(label) + 1]):
            line[col : col + len(label)] = list(label)
        at += step
    return Text(" " * (LABEL_W + 1) + "".join(line).rstrip(), style="dim")


def timeline_text(timeline: Timeline, width: int = 80) -> Text:
    """One row per event on a shared axis of seconds after the fault; fits ``width``."""
    track = max(20, width - LABEL_W - 1)
    end = timeline.end_s

    def col(at: float) -> int:
        return min(track - 1, max(0, round(at / end * (track - 1))))

    text = Text()
    text.append(f"drill {timeline.drill}: seconds after the fault\n", style="bold")
    text.append_text(_ticks(end, track))
    text.append("\n")
    for item in timeline.rows:
        label = item.label[:LABEL_W]
        text.append(f"{label:<{LABEL_W}} ", style="bold" if isinstance(item, Span) else "")
        if isinstance(item, Span):
            a, b = col(item.start_s), col(item.end_s)
            text.append(" " * a)
            text.append("├" + "─" * max(0, b - a - 1) + ("┤" if b > a else ""), style="blue")
        else:
            text.append_text(_mark_cells(item, col, track))
        text.append("\n")
    text.rstrip()
    return text


def _mark_cells(mark: Mark, col: object, track: int) -> Text:
    out = Text()
    if mark.at_s is None:
        out.append("not fired", style=STYLES["missed"])
        return out
    at = col(mark.at_s)  # type: ignore[operator]
    note = {"detector": f" {mark.at_s:.1f} s", "restore": "", "fault": "", "green": ""}.get(
        mark.kind, ""
    )
    if mark.kind == "detector" and mark.at_s <= 0:
        note = " before it ran"
    if at + 1 + len(note) > track:  # no room on the right: put the note on the left
        out.append(" " * max(0, at - len(note)))
        out.append(note.strip() + " ", style="dim")
        out.append(MARKS[mark.kind], style=STYLES[mark.kind])
        return out
    out.append(" " * at)
    out.append(MARKS[mark.kind], style=STYLES[mark.kind])
    out.append(note, style="dim")
    return out


def drill_timeline(result: DrillResult) -> Timeline:
    return timeline_of(result.to_dict(), result.fault.run.document, result.recovery.run.document)


def _phase_table(phase: Phase, title: str) -> Table:
    table = Table(title=title, title_justify="left", expand=True)
    table.add_column("detector", no_wrap=True, min_width=17)
    table.add_column("fired", no_wrap=True, width=5)
    table.add_column("after", no_wrap=True, justify="right", width=8)
    table.add_column("what it saw", ratio=1)
    for d in phase.detections:
        fired = Text("yes", style="bold red") if d.fired else Text("no", style="green")
        after = f"{d.after_s:.1f} s" if d.after_s is not None else "-"
        if d.fired and d.detector == "lint":
            after = "before"  # lint reads the script before it ever runs
        table.add_row(d.detector, fired, after, d.summary)
    return table


def drill_renderable(result: DrillResult) -> Group:
    caught = ", ".join(d.detector for d in result.fault.fired) or "nothing"
    verdict = Text()
    if result.caught:
        verdict.append(f"✓ caught by {caught}", style="bold green")
    else:
        verdict.append("✗ the fault went unnoticed: no detector fired", style="bold red")
    verdict.append("\n")
    if result.recovered:
        verdict.append("✓ green again after the restore", style="bold green")
    else:
        still = ", ".join(d.detector for d in result.recovery.fired)
        verdict.append(f"✗ still red after the restore: {still}", style="bold red")
    return Group(
        Text(f"drill {result.drill}: {result.summary}", style="bold"),
        Text(f"database {result.db}; files in {result.directory}", style="dim"),
        TimelineView(drill_timeline(result)),
        _phase_table(result.fault, "under the fault"),
        _phase_table(result.recovery, "after the restore"),
        verdict,
    )


def drill_findings(result: DrillResult) -> list[Finding]:
    """The drill as findings for ``--format``: an unnoticed fault or a red recovery is an error,
    and each detector that fired or stayed quiet under the fault is info."""
    findings = []
    name = f"drill {result.drill}"
    if not result.caught:
        findings.append(
            Finding(Severity.ERROR, "drill.unnoticed", name, "no detector fired under the fault")
        )
    for d in result.fault.detections:
        when = "before the script ran" if d.detector == "lint" else f"{d.after_s or 0:.1f} s"
        if d.fired:
            message = f"{d.detector} fired {when} after the fault: {d.summary}"
            findings.append(Finding(Severity.INFO, "drill.detected", d.detector, message))
        else:
            message = f"{d.detector} did not fire under the fault: {d.summary}"
            findings.append(Finding(Severity.INFO, "drill.quiet", d.detector, message))
    for d in result.recovery.fired:
        message = f"{d.detector} still fires after the restore: {d.summary}"
        findings.append(Finding(Severity.ERROR, "drill.not_recovered", d.detector, message))
    return findings
