"""The faults a drill injects into the reference system, and how each is undone.

Drills are fault injection: unlike checkers they change the database (that is the point), and
each fault knows its restore. Faults that are configuration changes return the reference-system
config overrides the faulty stress run uses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import sqlglot
from sqlalchemy.engine import Engine

from driftline import dialects
from driftline.errors import RunError, UsageError

STATUS_INDEX = "ix_ticket_status_log_status_changed"
EMPTY_DEPARTMENT = "logistics"


def maintenance_script() -> Path:
    """The incident's maintenance script (shipped with driftline)."""
    return Path(str(resources.files("driftline.drills") / "maintenance_cleanup.sql"))


def run_script(engine: Engine, path: Path) -> list[str]:
    """Execute a SQL script statement by statement (split with sqlglot); return the statements."""
    dialect = dialects.of(engine)
    statements = [
        s.sql(dialect=dialect.sqlglot)
        for s in sqlglot.parse(path.read_text(), read="postgres")
        if s is not None
    ]
    with engine.begin() as conn:
        for sql in statements:
            if dialect.index_names_per_table and sql.upper().startswith("DROP INDEX"):
                sql = f"{sql} ON ticket_status_log"
            conn.exec_driver_sql(sql)
    return statements


def _status_index() -> sa.Index:
    from reference_system.schema import ticket_status_log

    return next(i for i in ticket_status_log.indexes if i.name == STATUS_INDEX)


def restore_status_index(engine: Engine) -> None:
    with engine.begin() as conn:
        _status_index().create(conn, checkfirst=True)


def status_index_sql(engine: Engine) -> str:
    """The statement :func:`restore_status_index` runs, for a user to run by hand."""
    return f"{sa.schema.CreateIndex(_status_index()).compile(dialect=engine.dialect)};\n"


def empty_roster(engine: Engine) -> None:
    """Nobody on primary duty in one department: shift windows that never contain a minute."""
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE duty_roster SET shift_start_min = 0, shift_end_min = 0 "
                "WHERE department = :d AND role = 'primary'"
            ),
            {"d": EMPTY_DEPARTMENT},
        )


def refill_roster(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE duty_roster SET shift_start_min = 0, shift_end_min = 1440 "
                "WHERE department = :d"
            ),
            {"d": EMPTY_DEPARTMENT},
        )


def refill_roster_sql(_engine: Engine) -> str:
    """The statement :func:`refill_roster` runs, for a user to run by hand."""
    return (
        "UPDATE duty_roster SET shift_start_min = 0, shift_end_min = 1440 "
        f"WHERE department = '{EMPTY_DEPARTMENT}';\n"
    )


def check_restart_target(db_url: str, data_dir: Path | None) -> Path:
    """The data directory the db-restart drill may restart: local, and serving ``db_url``'s port.

    The drill restarts only the server named twice, by ``--db`` and by ``--pg-data-dir``; a
    mismatch is a usage error, never a restart of some other server.
    """
    from driftline.db import parse_url
    from driftline.pgcluster import data_dir_port

    if dialects.of(db_url) is not dialects.POSTGRESQL:
        raise UsageError("the db-restart drill needs --db postgresql://… (it restarts the server)")
    url = parse_url(db_url)
    host = url.host or "localhost"
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise UsageError(f"db-restart restarts only a local server, not {host}")
    if data_dir is None:
        raise UsageError(
            "db-restart needs --pg-data-dir DIR, the data directory of the server --db points at "
            "(that server is restarted)"
        )
    try:
        running = data_dir_port(data_dir)
    except RunError as exc:
        raise UsageError(f"--pg-data-dir {exc}") from None
    port = url.port or 5432
    if running != port:
        raise UsageError(
            f"--pg-data-dir {data_dir} serves port {running}, but --db is on port {port}: "
            "db-restart restarts only the server of --db"
        )
    return Path(data_dir)


def restart_postgresql(_engine: Engine, data_dir: Path | None) -> None:
    """Restart the server of ``data_dir`` (checked beforehand by :func:`check_restart_target`)."""
    from driftline.pgcluster import restart_data_dir

    if data_dir is None:
        raise UsageError("db-restart needs --pg-data-dir")
    restart_data_dir(data_dir)


def _noop(_engine: Engine) -> None:
    return None


@dataclass(frozen=True)
class Fault:
    """A fault: what it does to the database before the run, mid-run, and how it is undone."""

    name: str
    summary: str
    inject: Callable[[Engine], Any] = _noop
    restore: Callable[[Engine], Any] = _noop
    #: the SQL that ``restore`` runs, written next to the drill before the fault goes in
    restore_sql: Callable[[Engine], str] | None = None
    #: injected ``during_run_after_s`` x duration into the run, given the engine and --pg-data-dir
    during_run: Callable[[Engine, Path | None], Any] | None = None
    during_run_after_s: float = 0.0
    refsys_overrides: dict[str, Any] = field(default_factory=dict)
    dialects: tuple[str, ...] = ("sqlite", "postgresql", "mysql")
    lint_files: tuple[Callable[[], Path], ...] = ()
    needs_data_dir: bool = False  # restarts the server of --pg-data-dir
    slows_pickup: bool = False  # the dispatcher's pickup query gets slower (deadline calibration)


FAULTS: dict[str, Fault] = {
    f.name: f
    for f in (
        Fault(
            "index-drop",
            "a maintenance script without WHERE drops the status index of ticket_status_log",
            inject=lambda e: run_script(e, maintenance_script()),
            restore=restore_status_index,
            restore_sql=status_index_sql,
            lint_files=(maintenance_script,),
            slows_pickup=True,
        ),
        Fault(
            "query-timeout",
            "a config change shrinks the dispatcher's pickup query timeout to 1 ms",
            refsys_overrides={"dispatch": {"query_timeout_ms": 1}},
        ),
        Fault(
            "dispatcher-down",
            "the dispatcher is stopped; manual assignment still works",
            refsys_overrides={"dispatch": {"enabled": False}},
        ),
        Fault(
            "empty-roster",
            f"nobody is on primary duty in the {EMPTY_DEPARTMENT} department",
            inject=empty_roster,
            restore=refill_roster,
            restore_sql=refill_roster_sql,
        ),
        Fault(
            "db-restart",
            "the database restarts in the middle of the run",
            during_run=restart_postgresql,
            during_run_after_s=0.4,
            dialects=("postgresql",),
            needs_data_dir=True,
        ),
    )
}


def get_fault(name: str) -> Fault:
    if name not in FAULTS:
        raise UsageError.unknown("drill", name, FAULTS)
    return FAULTS[name]
