"""``driftline refsys``: initialise, seed and serve the bundled reference ticket system."""

from __future__ import annotations

import contextlib
from pathlib import Path

import typer

from driftline.cli._common import PlainUsage, stderr_console, stdout_console
from driftline.errors import UsageError

refsys_app = typer.Typer(help="The bundled reference ticket system.", no_args_is_help=True)

DB_HELP = "Database URL (default: embedded SQLite file driftline-refsys.db)."
DB_FILE_HELP = "Read the database URL from this file (keeps a password off the command line)."


def _db(db: str | None, db_file: Path | None) -> str | None:
    """The database URL, from --db or from the file --db-file names (not both)."""
    if db_file is None:
        return db
    if db is not None:
        raise UsageError("give --db or --db-file, not both")
    from driftline.secrets import read_secret_file

    return read_secret_file(db_file)


def _config(path: Path | None):
    from reference_system.config import load_config

    return load_config(path)


def _engine(db: str | None):
    from reference_system.database import make_engine

    return make_engine(db)


@contextlib.contextmanager
def _initialised(db: str | None, config):  # type: ignore[no-untyped-def]
    """An engine over an initialised reference database; connection errors become exit 2."""
    import sqlalchemy as sa

    from driftline.db import connection_error, require_database_name
    from reference_system.bootstrap import init_database

    require_database_name(db)
    engine = _engine(db)
    try:
        init_database(engine, config)
        yield engine
    except sa.exc.OperationalError as exc:
        raise connection_error(engine.url, exc) from None
    finally:
        engine.dispose()


@refsys_app.command("init", cls=PlainUsage)
def init(
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    db_file: Path | None = typer.Option(None, "--db-file", help=DB_FILE_HELP),
    config: Path | None = typer.Option(None, "--config", help="Reference-system config YAML."),
) -> int:
    """Create the schema and load reference data (idempotent)."""
    from driftline.db import describe

    with _initialised(_db(db, db_file), _config(config)) as engine:
        stdout_console().print(f"initialised reference system in {describe(engine.url)}")
    return 0


@refsys_app.command("seed", cls=PlainUsage)
def seed(
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    db_file: Path | None = typer.Option(None, "--db-file", help=DB_FILE_HELP),
    tickets: int = typer.Option(10_000, "--tickets", "-n", help="Tickets of history to add."),
    days: int = typer.Option(90, "--days", help="Spread the history over this many days."),
    seed_value: int = typer.Option(1, "--seed", help="Random seed (deterministic data)."),
    config: Path | None = typer.Option(None, "--config", help="Reference-system config YAML."),
) -> int:
    """Add realistic ticket history (about six status rows per ticket), with a progress bar."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from driftline.db import describe
    from reference_system.routing import load_routing
    from reference_system.seed import seed as run_seed

    if tickets < 1 or days < 1:
        raise UsageError("--tickets and --days must be at least 1")
    cfg = _config(config)
    with (
        _initialised(_db(db, db_file), cfg) as engine,
        Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=stderr_console(),
            transient=True,
        ) as bar,
    ):
        task = bar.add_task("seeding tickets", total=tickets)
        result = run_seed(
            engine,
            load_routing(cfg.routing_file),
            tickets,
            days=days,
            seed=seed_value,
            progress=lambda n: bar.advance(task, n),
        )
    stdout_console().print(
        f"seeded {result.tickets:,} tickets and {result.status_rows:,} status rows into "
        f"{describe(engine.url)} in {result.seconds:.1f} s ({result.rows_per_s:,.0f} rows/s)"
    )
    return 0


@refsys_app.command("serve", cls=PlainUsage)
def serve(
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    db_file: Path | None = typer.Option(None, "--db-file", help=DB_FILE_HELP),
    port: int = typer.Option(8080, "--port", "-p", min=1, max=65535, metavar="N", help="TCP port."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    config: Path | None = typer.Option(None, "--config", help="Reference-system config YAML."),
    log_level: str = typer.Option("warning", "--log-level", help="Server log level."),
    http_workers: int = typer.Option(
        1, "--workers", "-w", help="HTTP processes (each runs a dispatcher and a sweeper)."
    ),
) -> int:
    """Run the HTTP API with the dispatcher and SLA sweeper (initialises the schema first)."""
    from driftline.db import describe
    from driftline.netaddr import check_listen
    from reference_system.server import serve as run_server

    if http_workers < 1:
        raise UsageError("--workers must be at least 1")
    check_listen(host, port)
    url = _db(db, db_file)
    with _initialised(url, _config(config)) as engine:
        pass
    stderr_console().print(f"reference system on http://{host}:{port} over {describe(engine.url)}")
    run_server(
        url,
        config,
        host=host,
        port=port,
        log_level=log_level,
        http_workers=http_workers,
        db_file=db_file,
    )
    return 0


def register(app: typer.Typer) -> None:
    app.add_typer(refsys_app, name="refsys")
