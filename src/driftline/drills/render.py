"""Rich renderables of a drill's outcome: per phase, which detectors fired and when."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from driftline.drills.runner import DrillResult, Phase


def _phase_table(phase: Phase, title: str) -> Table:
    table = Table(title=title, title_justify="left", expand=True)
    table.add_column("detector", no_wrap=True, width=18)
    table.add_column("fired", no_wrap=True, width=7)
    table.add_column("after", no_wrap=True, justify="right", width=8)
    table.add_column("what it saw", overflow="fold", ratio=1)
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
        _phase_table(result.fault, "under the fault"),
        _phase_table(result.recovery, "after the restore"),
        verdict,
    )
