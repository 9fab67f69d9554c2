"""Database URLs, engines, dialect names, read-only sessions and password redaction.

Everything that touches a connection string goes through here, so that a password is never
printed and every checker reads inside a read-only transaction with statement and lock timeouts.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine, make_url

from driftline.errors import ConnectionFailed, PermissionDenied, UsageError

#: Canonical dialect names and the spellings users type for them.
DIALECT_ALIASES: dict[str, str] = {
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "pg": "postgresql",
    "sqlite": "sqlite",
    "sqlite3": "sqlite",
    "mysql": "mysql",
    "mariadb": "mysql",
}
DIALECTS = ("postgresql", "sqlite", "mysql")

#: SQLAlchemy driver each canonical dialect is opened with.
_DRIVERS = {"postgresql": "postgresql+psycopg", "mysql": "mysql+pymysql", "sqlite": "sqlite"}

DEFAULT_SQLITE_FILE = "driftline-refsys.db"


def canonical_dialect(name: str) -> str:
    """``postgres`` → ``postgresql``, ``mariadb`` → ``mysql``; unknown names raise UsageError."""
    key = name.strip().lower().split("+", 1)[0]
    if key not in DIALECT_ALIASES:
        raise UsageError.unknown("dialect", name, DIALECT_ALIASES)
    return DIALECT_ALIASES[key]


def sqlglot_dialect(dialect: str) -> str:
    """The sqlglot dialect name for a canonical dialect."""
    names = {"postgresql": "postgres", "sqlite": "sqlite", "mysql": "mysql"}
    return names[canonical_dialect(dialect)]


def parse_url(url: str | None, default_sqlite: str | Path | None = None) -> URL:
    """Parse a user's database URL (or a bare SQLite file path) into a driver-qualified URL.

    ``None`` means the embedded default, a SQLite file in the working directory.
    """
    if url is None or url == "":
        url = f"sqlite:///{default_sqlite or DEFAULT_SQLITE_FILE}"
    if "://" not in url:
        if url.endswith((".db", ".sqlite", ".sqlite3")) or url == ":memory:":
            url = f"sqlite:///{url}"
        else:
            raise UsageError(
                f"not a database URL: {redact(url)} (expected e.g. postgresql://host/db)"
            )
    try:
        parsed = make_url(url)
    except Exception:
        raise UsageError(f"not a database URL: {redact(url)}") from None
    dialect = canonical_dialect(parsed.get_backend_name())
    if "+" not in parsed.drivername:
        parsed = parsed.set(drivername=_DRIVERS[dialect])
    return parsed


def dialect_of(url: str | URL | Engine | Connection) -> str:
    """Canonical dialect name of a URL, engine or connection."""
    if isinstance(url, Engine | Connection):
        return canonical_dialect(url.dialect.name)
    if isinstance(url, str):
        url = parse_url(url)
    return canonical_dialect(url.get_backend_name())


_PASSWORD_IN_URL = re.compile(r"(?P<pre>[a-zA-Z][\w+.-]*://[^:/@\s]*:)(?P<pw>[^@\s]*)(?P<at>@)")
_PASSWORD_IN_DSN = re.compile(r"(?P<pre>password\s*=\s*)(?P<pw>'[^']*'|\S+)", re.IGNORECASE)


def redact(text: str | URL | None) -> str:
    """Replace every password in a URL, DSN or message by ``***``."""
    if text is None:
        return ""
    if isinstance(text, URL):
        return text.render_as_string(hide_password=True)
    text = _PASSWORD_IN_URL.sub(lambda m: f"{m['pre']}***{m['at']}", text)
    return _PASSWORD_IN_DSN.sub(lambda m: f"{m['pre']}***", text)


def describe(url: str | URL) -> str:
    """A short, password-free name for a database: ``postgresql://host:5432/db``."""
    if isinstance(url, str):
        url = parse_url(url)
    dialect = canonical_dialect(url.get_backend_name())
    if dialect == "sqlite":
        return f"sqlite:///{url.database or ':memory:'}"
    host = url.host or "localhost"
    port = f":{url.port}" if url.port else ""
    return f"{dialect}://{host}{port}/{url.database or ''}"


def make_engine(url: str | URL | None, **kwargs) -> Engine:
    """An engine for a user's URL. Nothing connects until first use."""
    parsed = url if isinstance(url, URL) else parse_url(url)
    dialect = canonical_dialect(parsed.get_backend_name())
    options: dict = {"future": True}
    if dialect == "postgresql":
        options["connect_args"] = {"connect_timeout": 5, "application_name": "driftline"}
    elif dialect == "mysql":
        options["connect_args"] = {"connect_timeout": 5, "charset": "utf8mb4"}
    elif dialect == "sqlite":
        options["connect_args"] = {"timeout": 5, "check_same_thread": False}
    options.update(kwargs)
    return sa.create_engine(parsed, **options)


@dataclass(frozen=True)
class Timeouts:
    """Guards every checker runs under: a check must never block production."""

    statement_ms: int = 30_000
    lock_ms: int = 2_000


def _setup_postgresql(conn: Connection, t: Timeouts) -> None:
    conn.exec_driver_sql("SET TRANSACTION READ ONLY")
    conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(t.statement_ms)}")
    conn.exec_driver_sql(f"SET LOCAL lock_timeout = {int(t.lock_ms)}")


def _setup_mysql(conn: Connection, t: Timeouts) -> None:
    if conn.dialect.is_mariadb:  # detected by SQLAlchemy when it connected
        conn.exec_driver_sql(f"SET SESSION max_statement_time = {t.statement_ms / 1000:.3f}")
    else:
        conn.exec_driver_sql(f"SET SESSION max_execution_time = {int(t.statement_ms)}")
    conn.exec_driver_sql(f"SET SESSION lock_wait_timeout = {max(1, t.lock_ms // 1000)}")
    conn.exec_driver_sql(f"SET SESSION innodb_lock_wait_timeout = {max(1, t.lock_ms // 1000)}")
    conn.exec_driver_sql("SET SESSION TRANSACTION READ ONLY")


def _setup_sqlite(conn: Connection, t: Timeouts) -> None:
    conn.exec_driver_sql("PRAGMA query_only = ON")
    conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(t.lock_ms)}")
    raw = conn.connection.driver_connection
    deadline = time.monotonic() + t.statement_ms / 1000
    raw.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 10_000)


def _teardown_sqlite(conn: Connection) -> None:
    conn.exec_driver_sql("PRAGMA query_only = OFF")
    conn.connection.driver_connection.set_progress_handler(None, 0)


_READ_ONLY_SETUP = {"postgresql": _setup_postgresql, "mysql": _setup_mysql, "sqlite": _setup_sqlite}


@contextlib.contextmanager
def read_only(engine: Engine, timeouts: Timeouts | None = None) -> Iterator[Connection]:
    """A connection inside a read-only transaction with statement and lock timeouts.

    The transaction is always rolled back. Connection and permission problems become
    :class:`ConnectionFailed` / :class:`PermissionDenied` naming the host, never the password.
    """
    t = timeouts or Timeouts()
    dialect = dialect_of(engine)
    try:
        conn = engine.connect()
    except sa.exc.SQLAlchemyError as exc:
        raise connection_error(engine.url, exc) from None
    try:
        with conn.begin() as tx:
            _READ_ONLY_SETUP[dialect](conn, t)
            try:
                yield conn
            except sa.exc.DBAPIError as exc:
                raise database_error(engine.url, exc) from exc
            finally:
                tx.rollback()
        if dialect == "sqlite":
            _teardown_sqlite(conn)
    finally:
        conn.close()


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return redact(text[0] if text else type(orig).__name__)


def connection_error(url: URL, exc: BaseException) -> ConnectionFailed:
    return ConnectionFailed(f"cannot connect to {describe(url)}: {_first_line(exc)}")


def database_error(url: URL, exc: BaseException) -> Exception:
    """Map a driver error met while reading to the driftline error it means."""
    text = _first_line(exc)
    if re.search(r"permission denied|access denied|command denied|not authorized", text, re.I):
        return PermissionDenied(f"{describe(url)}: {text}")
    return exc


def server_version(conn: Connection) -> str:
    """The server's version string, e.g. ``15.20`` or ``10.11.19-MariaDB``."""
    dialect = dialect_of(conn)
    if dialect == "postgresql":
        return str(conn.exec_driver_sql("SHOW server_version").scalar()).split(" ")[0]
    if dialect == "mysql":
        raw = str(conn.exec_driver_sql("SELECT VERSION()").scalar())
        match = re.match(r"[\d.]+(-MariaDB)?", raw)
        return match.group(0) if match else raw
    return str(conn.exec_driver_sql("SELECT sqlite_version()").scalar())


def connect_check(engine: Engine) -> None:
    """Connect once, raising ConnectionFailed with a clear one-line reason."""
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.SQLAlchemyError as exc:
        raise connection_error(engine.url, exc) from None
