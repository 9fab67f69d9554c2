"""``driftline stress run`` and ``driftline stress judge``: thin wrappers over driftline.stress."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from driftline import output
from driftline.cli._common import PlainUsage, fail_on_option, format_option, stdout_console
from driftline.errors import UsageError
from driftline.findings import Severity, exit_code_for

if TYPE_CHECKING:
    from rich.console import Console

    from driftline.stress.result import RunResult

stress_app = typer.Typer(
    name="stress",
    help="The link stress test: ticket journeys under load, every stage judged.",
    no_args_is_help=True,
)

_DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s?)?$")


def parse_duration(text: str) -> float:
    """``90``, ``90s``, ``2m``, ``1m30s``, ``1h`` → seconds."""
    match = _DURATION.match(text.strip().lower())
    if not text.strip() or match is None or not any(match.groups()):
        raise UsageError(f"not a duration: {text!r} (e.g. 90s, 2m, 1m30s)")
    hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    total = hours * 3600 + minutes * 60 + seconds
    if total <= 0:
        raise UsageError(f"duration must be positive: {text!r}")
    return total


@stress_app.command("run", cls=PlainUsage)
def run_command(
    db: str = typer.Option(
        None,
        "--db",
        help="Database URL: the reference system's (default: embedded SQLite in the run "
        "directory), or with --target the system's own, to reconcile tickets through it.",
    ),
    users: int = typer.Option(100, "--users", "-u", help="Concurrent ticket journeys."),
    spawn_rate: float = typer.Option(
        None, "--spawn-rate", "-r", help="Users started per second (default users/5)."
    ),
    duration: str = typer.Option("2m", "--duration", "-t", help="Load duration: 90s, 2m, 1m30s."),
    workers: int = typer.Option(
        0, "--workers", "-w", help="Locust worker processes (0: one standalone process)."
    ),
    system: str = typer.Option(
        "refsys",
        "--system",
        help="Ticket-system adapter: refsys, rt, or an adapter YAML file.",
    ),
    target: str = typer.Option(
        None, "--target", help="Test this already-running system instead of starting one."
    ),
    thresholds: Path = typer.Option(
        None, "--thresholds", help="Thresholds file (default scenarios/thresholds.yaml)."
    ),
    out: Path = typer.Option(Path("runs"), "--out", help="Run directories go under here."),
    refsys_config: Path = typer.Option(
        None,
        "--refsys-config",
        help="Reference-system config merged over the stress defaults (short SLA windows).",
    ),
    scenario: Path = typer.Option(
        None, "--scenario", help="Locustfile (default scenarios/ticket_journey.py)."
    ),
    alert_share: float = typer.Option(
        0.2, "--alert-share", help="Share of tickets left to run into the SLA alert."
    ),
    reopen_share: float = typer.Option(
        0.1, "--reopen-share", help="Share of closed tickets the customer reopens."
    ),
    step_deadline_s: float = typer.Option(
        5.0, "--step-deadline-s", help="Deadline of create, respond, resolve, followup, reopen."
    ),
    dispatch_deadline_s: float = typer.Option(
        10.0, "--dispatch-deadline-s", help="Deadline from creation to dispatch, in seconds."
    ),
    alert_deadline_s: float = typer.Option(
        10.0, "--alert-deadline-s", help="How late the SLA alert may fire, in seconds."
    ),
    live: bool = typer.Option(True, "--live/--no-live", help="Show the live view (terminals)."),
    fmt: str = format_option(),
    fail_on: str = fail_on_option(),
    out_file: Path = typer.Option(
        None, "--output", "-o", help="Write the verdicts and findings here, in --format."
    ),
) -> int:
    """Run ticket journeys against the reference system; exit 0 pass, 1 breach, 3 inconclusive."""
    from rich.live import Live

    from driftline.stress.live import live_view
    from driftline.stress.runner import StressOptions, run_stress

    output.check_format(fmt)
    Severity.parse(fail_on)
    options = StressOptions(
        users=users,
        spawn_rate=spawn_rate,
        duration_s=parse_duration(duration),
        workers=workers,
        system=system,
        db=db,
        target=target,
        thresholds=thresholds,
        out=out,
        refsys_config=refsys_config,
        scenario=scenario,
        alert_share=alert_share,
        reopen_share=reopen_share,
        step_deadline_s=step_deadline_s,
        dispatch_deadline_s=dispatch_deadline_s,
        alert_deadline_s=alert_deadline_s,
    )
    console = stdout_console()
    if live and fmt == "terminal" and out_file is None and console.is_terminal:
        with Live(console=console, refresh_per_second=2, transient=True) as view:
            result = run_stress(options, on_status=lambda s: view.update(live_view(s)))
    else:
        result = run_stress(options)
    return _report(result, fmt, console, fail_on=fail_on, out=out_file)


@stress_app.command("judge", cls=PlainUsage)
def judge_command(
    run_dir: Path = typer.Argument(..., help="A run directory (or its run.json)."),
    thresholds: Path = typer.Option(
        None, "--thresholds", help="Judge against this file (default: the run's own)."
    ),
    fmt: str = format_option(),
    fail_on: str = fail_on_option(),
    out_file: Path = typer.Option(
        None, "--output", "-o", help="Write the verdicts and findings here, in --format."
    ),
) -> int:
    """Judge a finished run again from its run.json; exit codes as for 'stress run'."""
    from driftline.stress.judge import rejudge

    output.check_format(fmt)
    Severity.parse(fail_on)
    result = rejudge(run_dir, thresholds)
    return _report(result, fmt, stdout_console(), fail_on=fail_on, out=out_file)


def _report(
    result: RunResult, fmt: str, console: Console, *, fail_on: str, out: Path | None
) -> int:
    """Print (or write to ``out``) the run's outcome; the exit code is the run's verdict, or 1
    when it passed but a finding is at or above ``--fail-on``."""
    from driftline.stress.live import result_view
    from driftline.stress.result import summary_title

    threshold = Severity.parse(fail_on)
    if out is not None:
        title = summary_title(result, fmt)
        text = output.render(result.verdict_findings(), fmt, title=title, fail_on=threshold)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        console.print(f"{result.verdict} (exit {result.exit_code}): {out}", highlight=False)
    elif fmt == "terminal":
        console.print(result_view(result))
        if result.findings:
            output.emit(
                result.findings, "terminal", console=console, title="findings", fail_on=threshold
            )
    else:
        output.emit(
            result.verdict_findings(),
            fmt,
            console=console,
            title=summary_title(result, fmt),
            fail_on=threshold,
        )
    if result.exit_code == 0 and exit_code_for(result.findings, threshold):
        return 1
    return result.exit_code


def register(app: typer.Typer) -> None:
    """Add ``driftline stress …`` to ``app``."""
    app.add_typer(stress_app, name="stress")
