"""``driftline drill NAME`` and ``driftline demo``."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from pathlib import Path

import typer

from driftline.cli._common import (
    PlainUsage,
    fail_on_option,
    format_option,
    report_findings,
    stderr_console,
    stdout_console,
)
from driftline.errors import UsageError


def _parse_duration(text: str) -> float:
    from driftline.cli.stress import parse_duration

    return parse_duration(text)


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (a CI job cancelled, ``kill``) ends a drill as Ctrl-C does: through its cleanup,
    which restores what the fault changed."""

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def drill(
    name: str = typer.Argument(
        ..., help="index-drop, query-timeout, dispatcher-down, empty-roster or db-restart."
    ),
    db: str | None = typer.Option(None, "--db", help="Database URL (default: embedded SQLite)."),
    users: int = typer.Option(30, "--users", "-u", help="Concurrent journeys per stress run."),
    duration: str = typer.Option("30s", "--duration", "-t", help="Length of each stress run."),
    tickets: int | None = typer.Option(
        None, "--tickets", "-n", help="Tickets of seeded history (default: a realistic volume)."
    ),
    mode: str = typer.Option("skip", "--mode", help="Dispatcher on_query_timeout: skip | alert."),
    out: Path = typer.Option(Path("runs"), "--out", help="Directory for the drill's files."),
    system: str | None = typer.Option(
        None,
        "--system",
        help="index-drop against another ticket system: an adapter name (rt) or file.",
    ),
    target: str | None = typer.Option(
        None, "--target", help="With --system: the system's URL (credentials from the env)."
    ),
    thresholds: Path | None = typer.Option(
        None, "--thresholds", help="Stress thresholds (default: the system's)."
    ),
    pg_data_dir: Path | None = typer.Option(
        None,
        "--pg-data-dir",
        help="db-restart: data directory of the local server --db points at (it is restarted).",
    ),
    fmt: str = format_option(),
    fail_on: str = fail_on_option(),
    out_file: Path | None = typer.Option(
        None, "--output", "-o", help="Write the outcome here, in --format."
    ),
) -> int:
    """Inject a fault, show what caught it, restore, show it green (the reference system, or
    with --system the index-drop drill on any ticket system)."""
    from driftline.drills import DrillOptions, run_drill
    from driftline.drills.render import drill_findings, drill_renderable
    from driftline.findings import Severity
    from driftline.output import check_format

    if mode not in ("skip", "alert"):
        raise UsageError.unknown("mode", mode, ("skip", "alert"))
    check_format(fmt)
    Severity.parse(fail_on)
    options = DrillOptions(
        db=db,
        out=out,
        users=users,
        duration_s=_parse_duration(duration),
        tickets=tickets,
        on_query_timeout=mode,
        pg_data_dir=pg_data_dir,
        system=system,
        target=target,
        thresholds=thresholds,
    )
    err = stderr_console()
    with err.status(f"drill {name}") as status, _terminate_as_interrupt():
        result = run_drill(name, options, progress=lambda m: status.update(f"drill {name}: {m}"))
    if fmt == "terminal" and out_file is None:
        stdout_console().print(drill_renderable(result))
    else:
        title = f"drill {result.drill}"
        report_findings(drill_findings(result), fmt, title=title, fail_on=fail_on, out=out_file)
    return result.exit_code


def demo(
    db: str | None = typer.Option(None, "--db", help="Database URL (default: embedded SQLite)."),
    out: Path = typer.Option(Path("runs"), "--out", help="Directory for runs and the report."),
    users: int = typer.Option(30, "--users", "-u", help="Concurrent journeys per stress run."),
    duration: str = typer.Option("30s", "--duration", "-t", help="Length of each stress run."),
) -> int:
    """A healthy stress run, the index-drop drill, the checks and the HTML report."""
    from driftline.drills.demo import DemoOptions, demo_closing_lines, run_demo
    from driftline.drills.render import drill_renderable

    options = DemoOptions(db=db, out=out, users=users, duration_s=_parse_duration(duration))
    err = stderr_console()
    with err.status("driftline demo") as status, _terminate_as_interrupt():
        result = run_demo(options, progress=lambda m: status.update(f"demo: {m}"))
    console = stdout_console()
    console.print(f"healthy run: {result.healthy.verdict} ({result.healthy.run_dir})")
    console.print(drill_renderable(result.drill))
    console.print(f"[bold]report:[/bold] {result.report}")
    for line in demo_closing_lines(result):
        console.print(line, highlight=False)
    return result.exit_code


def register(app: typer.Typer) -> None:
    app.command("drill", cls=PlainUsage)(drill)
    app.command("demo", cls=PlainUsage)(demo)
