"""``driftline schema``: snapshot, check and diff schemas and indexes against baselines."""

from __future__ import annotations

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

schema_app = typer.Typer(
    help="Schema and index drift against committed baselines.", no_args_is_help=True
)


@schema_app.command("snapshot", cls=PlainUsage)
def snapshot_command(
    db: str | None = typer.Option(None, "--db", help="Database to snapshot."),
    from_sql: Path | None = typer.Option(
        None,
        "--from-sql",
        help="DDL file (pg_dump, mysqldump, sqlite3 .dump, vendor DDL) instead of a database.",
    ),
    dialect: str | None = typer.Option(None, "--dialect", "-d", help="Dialect of --from-sql."),
    scratch_server: str | None = typer.Option(
        None,
        "--scratch-server",
        help="Server where --from-sql may create and drop a throwaway database "
        "(PostgreSQL/MariaDB; default $DRIFTLINE_SCRATCH_SERVER).",
    ),
    hash_comments: bool = typer.Option(
        False, "--hash-comments", help="# starts a comment in --from-sql (vendor loaders)."
    ),
    out: Path = typer.Option(..., "--output", "-o", help="Baseline file to write."),
    critical_index: list[str] = typer.Option(
        [], "--critical-index", help="Mark an index SLA-critical (repeatable)."
    ),
    critical_table: list[str] = typer.Option(
        [], "--critical-table", help="Mark a table SLA-critical (repeatable)."
    ),
) -> int:
    """Write a baseline from a live database, or from a DDL file built in a throwaway one."""
    from driftline.schema.check import snapshot, snapshot_from_sql

    if (db is None) == (from_sql is None):
        raise UsageError("give exactly one of --db URL or --from-sql FILE")
    if from_sql is not None:
        if not dialect:
            raise UsageError("--from-sql needs --dialect postgres|sqlite|mysql")
        baseline, skipped = snapshot_from_sql(
            from_sql,
            dialect,
            out,
            scratch_server=scratch_server,
            critical_indexes=critical_index,
            critical_tables=critical_table,
            hash_comments=hash_comments,
        )
        for line in skipped:
            stderr_console().print(line, markup=False, highlight=False, soft_wrap=True)
    else:
        baseline = snapshot(
            db, out, critical_indexes=critical_index, critical_tables=critical_table
        )
    tables = len(baseline.schema.tables)
    indexes = sum(len(t.indexes) for t in baseline.schema.tables.values())
    stdout_console().print(
        f"wrote {out}: {tables} tables, {indexes} indexes, "
        f"{len(baseline.critical_indexes)} critical"
    )
    return 0


@schema_app.command("check", cls=PlainUsage)
def check_command(
    db: str | None = typer.Option(None, "--db", help="Database to check."),
    baseline: Path | None = typer.Option(None, "--baseline", "-b", help="Schema baseline file."),
    inventory: Path | None = typer.Option(
        None, "--inventory", help="Fleet file: many databases checked concurrently."
    ),
    strict: bool = typer.Option(False, "--strict", help="Object kinds not compared fail too."),
    fmt: str = format_option(),
    fail_on: str = fail_on_option(),
    out: Path | None = typer.Option(None, "--output", "-o", help="Write the report here."),
) -> int:
    """Compare a live database (or a fleet) with its committed baseline; exit 1 on drift."""
    from driftline.db import describe
    from driftline.findings import Severity
    from driftline.output import check_format

    check_format(fmt)
    Severity.parse(fail_on)
    if inventory is not None:
        if db or baseline:
            raise UsageError("--inventory replaces --db and --baseline")
        return _fleet(inventory, strict, fmt, fail_on, out)
    if not db or not baseline:
        raise UsageError("schema check needs --db URL and --baseline FILE (or --inventory FILE)")
    from driftline.schema.check import check

    findings = check(db, baseline, strict=strict)
    title = f"schema check of {describe(db)} against {baseline}"
    return report_findings(findings, fmt, title=title, fail_on=fail_on, out=out)


def _fleet(inventory: Path, strict: bool, fmt: str, fail_on: str, out: Path | None) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress
    from rich.table import Table

    from driftline.findings import Severity, exit_code_for
    from driftline.schema.inventory import check_fleet, load_inventory

    targets = load_inventory(inventory)
    with Progress(
        "checking",
        BarColumn(),
        MofNCompleteColumn(),
        "{task.description}",
        console=stderr_console(),
        transient=True,
    ) as bar:
        task = bar.add_task("", total=len(targets))
        results = check_fleet(
            targets,
            strict=strict,
            on_done=lambda r: bar.update(task, advance=1, description=r.name),
        )
    findings = [f for r in results for f in r.findings]
    threshold = Severity.parse(fail_on)
    if fmt == "terminal" and out is None:
        table = Table(title=f"fleet {inventory}: {len(results)} databases", title_justify="left")
        for column in ("database", "errors", "warnings", "info", "verdict"):
            table.add_column(column)
        for r in results:
            counts = [
                sum(1 for f in r.findings if f.severity == s)
                for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)
            ]
            verdict = (
                "unreachable"
                if r.error
                else ("drift" if exit_code_for(r.findings, threshold) else "ok")
            )
            table.add_row(r.name, *map(str, counts), verdict)
        stdout_console().print(table)
    return report_findings(findings, fmt, title=f"fleet {inventory}", fail_on=fail_on, out=out)


@schema_app.command("diff", cls=PlainUsage)
def diff_command(
    db: list[str] = typer.Option(..., "--db", help="Two databases: expected, then actual."),
    strict: bool = typer.Option(False, "--strict", help="Object kinds not compared fail too."),
    fmt: str = format_option(),
    fail_on: str = fail_on_option(),
    out: Path | None = typer.Option(None, "--output", "-o", help="Write the report here."),
) -> int:
    """Compare two live databases (staging vs production): the second against the first."""
    from driftline.db import describe
    from driftline.schema.check import diff

    if len(db) != 2:
        raise UsageError("schema diff takes exactly two --db options")
    findings = diff(db[0], db[1], strict=strict)
    title = f"schema diff {describe(db[0])} → {describe(db[1])}"
    return report_findings(findings, fmt, title=title, fail_on=fail_on, out=out)


def register(app: typer.Typer) -> None:
    from driftline.cli.schema_report import add_commands

    add_commands(schema_app)
    app.add_typer(schema_app, name="schema")
