"""``driftline lint``: migration and maintenance SQL, checked before it runs."""

from __future__ import annotations

from pathlib import Path

import typer

from driftline.cli._common import fail_on_option, format_option, report_findings


def lint(
    files: list[Path] = typer.Argument(..., help="SQL files to check."),
    baseline: Path | None = typer.Option(
        None, "--baseline", "-b", help="Schema baseline: critical indexes, tables, columns."
    ),
    dialect: str | None = typer.Option(
        None, "--dialect", "-d", help="postgres, sqlite or mysql (default: the baseline's)."
    ),
    large_table: list[str] = typer.Option(
        [], "--large-table", help="A table too big to lock or rewrite (repeatable)."
    ),
    fmt: str = format_option(),
    fail_on: str = fail_on_option(),
    out: Path | None = typer.Option(None, "--output", "-o", help="Write the report here."),
) -> int:
    """Flag what the incident's script did before it runs: UPDATE/DELETE without WHERE, dropped
    critical indexes, dropped columns and tables in use, locking DDL on large tables."""
    from driftline.db import canonical_dialect
    from driftline.lint import lint_files

    findings = lint_files(
        files,
        baseline=baseline,
        dialect=canonical_dialect(dialect) if dialect else None,
        large_tables=large_table,
    )
    title = f"lint of {len(files)} file{'s' if len(files) != 1 else ''}"
    return report_findings(findings, fmt, title=title, fail_on=fail_on, out=out)


def register(app: typer.Typer) -> None:
    app.command("lint")(lint)
