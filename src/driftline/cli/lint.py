"""``driftline lint``: migration and maintenance SQL, checked before it runs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from driftline.cli._common import PlainUsage, fail_on_option, format_option, report_findings

if TYPE_CHECKING:
    from driftline.lint import LintRun


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
    critical: list[str] = typer.Option(
        [],
        "--critical",
        help="Also treat this index, or TABLE.primary_key, as SLA-critical (repeatable).",
    ),
    rule: list[str] = typer.Option(
        [],
        "--rule",
        help="Turn on an opt-in rule: lock-timeout, drop-index-concurrently (repeatable).",
    ),
    hash_comments: bool = typer.Option(
        False, "--hash-comments", help="Lines starting with # are comments (vendor loaders)."
    ),
    fmt: str = format_option(),
    fail_on: str = fail_on_option(),
    out: Path | None = typer.Option(None, "--output", "-o", help="Write the report here."),
    no_cache: bool = typer.Option(
        False, "--no-cache", help="Lint again even if the same run's findings are cached."
    ),
) -> int:
    """Flag what the incident's script did before it runs: UPDATE/DELETE without WHERE,
    TRUNCATE, dropped critical indexes and keys, dropped columns and tables in use, locking DDL on
    large tables. Each statement is judged on the schema as the file has left it at that line."""
    from driftline.lint import cache

    def start() -> LintRun:
        from driftline.lint import LintRun
        from driftline.lint.dialect import get

        return LintRun(
            baseline=baseline,
            dialect=get(dialect).name if dialect else None,
            large_tables=large_table,
            rules=rule,
            critical=critical,
            hash_comments=hash_comments,
        )

    options = {
        "dialect": dialect,
        "large_tables": large_table,
        "rules": rule,
        "critical": critical,
        "hash_comments": hash_comments,
    }
    if no_cache:
        findings = start().lint(files)
    else:
        findings = cache.cached(files, options, start, baseline=baseline)
    title = f"lint of {len(files)} file{'s' if len(files) != 1 else ''}"
    return report_findings(findings, fmt, title=title, fail_on=fail_on, out=out)


def register(app: typer.Typer) -> None:
    app.command("lint", cls=PlainUsage)(lint)
