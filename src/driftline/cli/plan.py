"""``driftline plan capture|check|diff``: explain-plan baselines (a thin layer over plans/)."""

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

plan_app = typer.Typer(help="Explain-plan baselines: capture, check, diff.", no_args_is_help=True)

TIMEOUT_HELP = "Statement timeout per EXPLAIN, in milliseconds."
ANALYZE_HELP = "Run EXPLAIN ANALYZE (inside a transaction that is always rolled back)."
RUNS_HELP = "With --analyze: timed runs per query; the median run is kept."


def runs_option() -> int:
    return typer.Option(5, "--runs", min=1, metavar="N", help=RUNS_HELP)


def lock_timeout_option() -> int:
    return typer.Option(
        2_000,
        "--lock-timeout-ms",
        min=1,
        max=3_600_000,
        metavar="N",
        help="How long a read waits for a lock another session holds, in milliseconds.",
    )


def _meta(values: list[str]) -> dict[str, object]:
    import yaml

    meta: dict[str, object] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--meta expects KEY=VALUE, got '{item}'")
        meta[key.strip()] = yaml.safe_load(value) if value else ""
    return meta


@plan_app.command("capture", cls=PlainUsage)
def capture_cmd(
    db: str = typer.Option(..., "--db", help="Database URL (or a SQLite file)."),
    queries: Path | None = typer.Option(
        None, "--queries", "-q", help="Queries file (kind: queries)."
    ),
    from_pgss: bool = typer.Option(
        False,
        "--from-pg-stat-statements",
        help="Instead of a queries file: the top statements of pg_stat_statements (generic plans).",
    ),
    top: int = typer.Option(
        20, "--top", min=1, metavar="N", help="With --from-pg-stat-statements."
    ),
    output: Path = typer.Option(..., "--output", "-o", help="Capture file to write."),
    analyze: bool = typer.Option(False, "--analyze", help=ANALYZE_HELP),
    runs: int = runs_option(),
    meta: list[str] = typer.Option([], "--meta", help="KEY=VALUE recorded in the metadata."),
    timeout_ms: int = typer.Option(
        30_000, "--statement-timeout-ms", min=1, max=3_600_000, metavar="N", help=TIMEOUT_HELP
    ),
    lock_ms: int = lock_timeout_option(),
) -> int:
    """Capture the plans of every query and parameter set into a baseline file."""
    from driftline.db import Timeouts
    from driftline.plans.capture import capture
    from driftline.plans.diff import small_tables
    from driftline.plans.queries import load_queries

    if (queries is None) == (not from_pgss):
        raise UsageError("give either --queries FILE or --from-pg-stat-statements")
    if from_pgss:
        from driftline.plans.pgss import capture_top

        if analyze:
            raise UsageError(
                "--analyze needs values: pg_stat_statements keeps none (generic plans)"
            )
        result = capture_top(
            db, top=top, timeouts=Timeouts(timeout_ms, lock_ms), metadata=_meta(meta)
        )
    else:
        assert queries is not None
        result = capture(
            db,
            load_queries(queries),
            analyze=analyze,
            runs=runs,
            timeouts=Timeouts(timeout_ms, lock_ms),
            metadata=_meta(meta),
        )
    result.save(output)
    console = stdout_console()
    for name, qp in result.queries.items():
        reads = "; ".join(str(a) for a in qp.plans[0].access()) or "no table reads"
        console.print(f"{name}: {reads}", highlight=False)
    for name, why in (result.metadata.get("skipped") or {}).items():
        stderr_console().print(f"note: {name} skipped: {why}", highlight=False)
    for note in small_tables(result):
        stderr_console().print(f"note: {note.object}: {note.message}", highlight=False)
    console.print(f"captured {len(result.queries)} queries from {result.source} into {output}")
    return 0


@plan_app.command("check", cls=PlainUsage)
def check_cmd(
    db: str = typer.Option(..., "--db", help="Database URL (or a SQLite file)."),
    baseline: Path = typer.Option(..., "--baseline", "-b", help="Plan baseline (capture file)."),
    queries: Path | None = typer.Option(
        None, "--queries", "-q", help="Queries file; default: the queries in the baseline."
    ),
    ci: bool = typer.Option(False, "--ci", help="A listed query without baseline fails."),
    schema_baseline: Path | None = typer.Option(
        None, "--schema-baseline", help="Schema baseline: the DDL that restores an index."
    ),
    analyze: bool = typer.Option(False, "--analyze", help=ANALYZE_HELP),
    runs: int = runs_option(),
    fmt: str = format_option(),
    fail_on: str = fail_on_option(),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the report here."),
    timeout_ms: int = typer.Option(
        30_000, "--statement-timeout-ms", min=1, max=3_600_000, metavar="N", help=TIMEOUT_HELP
    ),
    lock_ms: int = lock_timeout_option(),
) -> int:
    """Compare live plans with a baseline; exit 1 on regressions at or above --fail-on."""
    from driftline.db import Timeouts
    from driftline.plans.check import check

    result = check(
        db,
        baseline,
        queries=queries,
        ci=ci,
        schema_baseline=schema_baseline,
        analyze=analyze,
        runs=runs,
        timeouts=Timeouts(timeout_ms, lock_ms),
    )
    return report_findings(
        result.findings, fmt, title=f"plan check: {result.title}", fail_on=fail_on, out=output
    )


@plan_app.command("diff", cls=PlainUsage)
def diff_cmd(
    a: str = typer.Argument(..., help="Database URL or capture file (before)."),
    b: str = typer.Argument(..., help="Database URL or capture file (after)."),
    queries: Path | None = typer.Option(
        None, "--queries", "-q", help="Queries file (needed when both sides are databases)."
    ),
    analyze: bool = typer.Option(False, "--analyze", help=ANALYZE_HELP),
    runs: int = runs_option(),
    fmt: str = format_option(),
    fail_on: str = fail_on_option(),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the report here."),
    timeout_ms: int = typer.Option(
        30_000, "--statement-timeout-ms", min=1, max=3_600_000, metavar="N", help=TIMEOUT_HELP
    ),
    lock_ms: int = lock_timeout_option(),
) -> int:
    """Plans of two databases, dates or captures side by side, and what changed."""
    from driftline import output as out_formats
    from driftline.db import Timeouts
    from driftline.plans.check import diff
    from driftline.plans.render import side_by_side

    out_formats.check_format(fmt)
    before, after, findings = diff(
        a, b, queries=queries, analyze=analyze, runs=runs, timeouts=Timeouts(timeout_ms, lock_ms)
    )
    if fmt == "terminal" and output is None:
        console = stdout_console()
        for table in side_by_side(before, after):
            console.print(table)
    return report_findings(
        findings,
        fmt,
        title=f"plan diff: {before.path or before.source} → {after.path or after.source}",
        fail_on=fail_on,
        out=output,
    )


@plan_app.command("import", cls=PlainUsage)
def import_cmd(
    logs: list[Path] = typer.Argument(..., help="PostgreSQL server logs with auto_explain plans."),
    out_dir: Path = typer.Option(
        ..., "--output", "-o", help="Directory for the dated capture files (DAY.yaml)."
    ),
) -> int:
    """Import auto_explain plans (text or JSON) from server logs, one capture file per day."""
    from driftline.plans.autoexplain import import_logs
    from driftline.plans.capture import load_capture

    console = stdout_console()
    written = import_logs(logs, out_dir)
    for path in written:
        count = len(load_capture(path).queries)
        console.print(f"{path.name}: {count} statement(s)", highlight=False)
    console.print(f"wrote {len(written)} dated capture file(s) into {out_dir}", highlight=False)
    return 0


def register(app: typer.Typer) -> None:
    """Add ``driftline plan`` to ``app``."""
    app.add_typer(plan_app, name="plan")
