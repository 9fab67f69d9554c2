"""What people see of a stress run: the live view while it runs, the verdict after.

Renderables only hold data; the console decides how to draw them (tests render them into a
fixed-width console with colour off).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from driftline.stress.result import RunResult
from driftline.stress.runner import LiveStatus
from driftline.stress.stages import STAGE_ORDER

VERDICT_STYLES = {"pass": "bold green", "fail": "bold red", "inconclusive": "bold yellow"}


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def live_view(live: LiveStatus) -> RenderableType:
    """One frame of the live view: users, requests/s, errors, CPU, per-stage count and p95."""
    s: Mapping[str, Any] = live.status
    head = Text()
    if live.phase == "starting" and not s:
        head.append("starting the reference system and Locust …", style="bold")
    elif live.phase == "collecting":
        head.append("load done — reconciling tickets and judging …", style="bold")
    else:
        head.append(f"{live.elapsed_s:5.0f} s / {live.duration_s:.0f} s  ", style="bold")
        head.append(f"users {s.get('users', 0)}  ")
        if s.get("workers"):
            head.append(f"workers {s['workers']}  ")
        head.append(f"req/s {s.get('rps', 0.0):.1f}  ")
        failures = s.get("failures", 0)
        head.append(
            f"HTTP errors {failures} ({100 * s.get('fail_ratio', 0.0):.1f} %)  ",
            style="red" if failures else "",
        )
        head.append(f"tickets {s.get('tickets', 0)}  ")
        if live.cpu:
            top = max(live.cpu.values())
            head.append(f"generator CPU {top:.0f} %", style="red" if top >= 90 else "")
    table = Table(expand=False, box=None, pad_edge=False)
    table.add_column("stage")
    table.add_column("count", justify="right")
    table.add_column("failed", justify="right")
    table.add_column("p95 ms", justify="right")
    stages = s.get("stages") or {}
    not_observed = s.get("not_observed") or {}
    for stage in s.get("stage_order") or STAGE_ORDER:
        if stage in not_observed:
            table.add_row(stage, Text("not observed", style="dim"), "", "")
            continue
        fig = stages.get(stage) or {}
        failed = fig.get("failed", 0)
        table.add_row(
            stage,
            str(fig.get("count", 0)),
            Text(str(failed), style="red" if failed else ""),
            _ms(fig.get("p95_ms")),
        )
    return Panel(Group(head, table), title="driftline stress run", title_align="left")


#: The stage columns after a run: (cell key of report.stagerows.row_cells, heading).
RESULT_COLUMNS = (
    ("samples", "n"),
    ("completed", "completed"),
    ("missed", "missed"),
    ("errors", "errors"),
    ("p50", "p50"),
    ("p95", "p95"),
    ("p99", "p99"),
)


def stage_table(result: RunResult) -> Table:
    """The run's stage figures, in the same words as the HTML report (one definition each)."""
    from rich import box

    from driftline.report.stagerows import NOT_REACHED, row_cells, stage_rows
    from driftline.stress.histogram import StageHistograms

    table = Table(title="stages", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("stage", no_wrap=True)
    for _, heading in RESULT_COLUMNS:
        table.add_column(heading, justify="right", no_wrap=True)
    not_observed = result.document.get("not_observed") or {}
    order = list(result.document.get("stage_order") or result.stages)
    for row in stage_rows(StageHistograms(), order, {}, result.stages, not_observed):
        cells = row_cells(row)
        texts = []
        for key, _ in RESULT_COLUMNS:
            bad = cells[key] == NOT_REACHED or (
                key in ("missed", "errors") and cells[key] not in "0–"
            )
            dim = row.not_observed is not None
            texts.append(Text(cells[key], style="red" if bad else ("dim" if dim else "")))
        table.add_row(row.stage, *texts)
    if not_observed:
        table.caption = "; ".join(f"{k} not observed: {v}" for k, v in not_observed.items())
        table.caption_justify = "left"
    return table


def result_view(result: RunResult) -> RenderableType:
    """The stage figures, every judged limit, and the verdict."""
    stages = stage_table(result)
    judged = Table(title="thresholds", title_justify="left", expand=False)
    judged.add_column("")
    judged.add_column("limit")
    for v in result.verdicts:
        if not v.observed:
            mark = Text("–", style="dim")
        else:
            mark = Text("✓", style="green") if v.passed else Text("✗", style="bold red")
        judged.add_row(mark, v.message)
    tp = result.throughput
    gen = result.generator
    recon = result.reconcile
    facts = Text()
    facts.append(f"throughput {tp.tickets} tickets in {tp.duration_s:.0f} s = ")
    facts.append(f"{tp.tickets_per_s:.2f} tickets/s\n")
    facts.append(
        f"generator CPU max {gen.cpu_percent_max:.0f} % (5 s), mean {gen.cpu_percent_mean:.0f} %",
        style="bold yellow" if gen.saturated else "",
    )
    facts.append(" — saturated\n" if gen.saturated else "\n")
    facts.append(f"reconciled {recon.accounted}/{recon.created} tickets")
    if recon.source == "database":
        facts.append(" through the database")
    if recon.target_died:
        facts.append(f" — {recon.target_died}", style="bold red")
    elif recon.target_down:
        facts.append(" — target down: the system stopped answering", style="bold red")
    if recon.unchecked:
        facts.append(f", {len(recon.unchecked)} not looked up (target down)", style="bold red")
    if recon.unaccounted:
        facts.append(f", {len(recon.unaccounted)} unaccounted", style="bold red")
    facts.append("\n")
    verdict = Text(f"verdict: {result.verdict.upper()}", style=VERDICT_STYLES[result.verdict])
    verdict.append(f"  (exit {result.exit_code})  run directory: {result.run_dir}", style="")
    return Group(stages, judged, facts, verdict)
