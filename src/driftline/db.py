"""Database URLs, engines, read-only sessions and password redaction.

Everything that touches a connection string goes through here, so that a password is never
printed and every checker reads inside a read-only transaction with statement and lock timeouts.
What differs per database (driver, connect options, session setup, version) is asked of its
:mod:`driftline.dialects` object; the dialect-name helpers here are thin wrappers over it.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from driftline import dialects
from driftline.errors import (
    ConnectionFailed,
    DatabaseFailed,
    DatabaseTimeout,
    DriftlineError,
    PermissionDenied,
    UsageError,
)

if TYPE_CHECKING:  # SQLAlchemy loads when a database is opened, not when names are looked up
    from sqlalchemy.engine import URL, Connection, Engine, ExceptionContext

#: Canonical dialect names and the spellings users type for them (see driftline.dialects).
DIALECT_ALIASES: dict[str, str] = dict(dialects.ALIASES)
DIALECTS = tuple(dialects.DIALECTS)

DEFAULT_SQLITE_FILE = "driftline-refsys.db"


def canonical_dialect(name: str) -> str:
    """``postgres`` → ``postgresql``, ``mariadb`` → ``mysql``; unknown names raise UsageError."""
    return dialects.get(name).name


def sqlglot_dialect(dialect: str) -> str:
    """The sqlglot dialect name for a dialect in any spelling."""
    return dialects.get(dialect).sqlglot


def parse_url(url: str | None, default_sqlite: str | Path | None = None) -> URL:
    """Parse a user's database URL (or a bare SQLite file path) into a driver-qualified URL.

    ``None`` means the embedded default, a SQLite file in the working directory.
    """
    from sqlalchemy.engine import make_url

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
    dialect = dialects.get(parsed.get_backend_name())
    if "+" not in parsed.drivername:
        parsed = parsed.set(drivername=dialect.driver)
    return parsed


_PLAIN_URL = re.compile(
    r"(?P<scheme>[A-Za-z][\w+]*)://"
    r"(?:(?P<username>[^:/?#@\[\]]*)(?::(?P<password>[^/?#@]*))?@)?"
    r"(?P<host>[^:/?#@\[\]]*)(?::(?P<port>[0-9]{1,5}))?"
    r"(?:/(?P<database>[^?#@]*))?(?:\?(?P<query>[^#@]*))?\Z"
)


@dataclass(frozen=True)
class PlainUrl:
    """A server URL read without SQLAlchemy, for paths that connect through the driver alone.

    It has the fields (and the two methods) of SQLAlchemy's URL that :func:`describe`,
    :func:`redact` and the error mappers read. :func:`plain_url` makes one only where
    SQLAlchemy's parser reads the same fields from the text.
    """

    drivername: str
    username: str | None
    password: str | None = field(repr=False)
    host: str | None
    port: int | None
    database: str | None
    query: tuple[tuple[str, str], ...] = ()

    def get_backend_name(self) -> str:
        return self.drivername.split("+", 1)[0]

    def render_as_string(self, hide_password: bool = True) -> str:
        user = self.username or ""
        if self.password is not None:
            user += ":" + ("***" if hide_password else self.password)
        at = f"{user}@" if user else ""
        port = f":{self.port}" if self.port else ""
        query = "?" + "&".join(f"{k}={v}" for k, v in self.query) if self.query else ""
        return f"{self.drivername}://{at}{self.host or ''}{port}/{self.database or ''}{query}"


def plain_url(url: str) -> PlainUrl | None:
    """``url`` as a :class:`PlainUrl` when it is a plain server URL (one user, one host, no
    repeated query keys) of a known server dialect; otherwise None, and
    :func:`parse_url` decides (and words any error)."""
    from urllib.parse import parse_qsl, unquote

    m = _PLAIN_URL.match(url)
    if m is None:
        return None
    scheme = m["scheme"]
    known = dialects.ALIASES.get(scheme.lower().split("+", 1)[0])
    if known is None or dialects.get(known).file_based:
        return None
    query = tuple(parse_qsl(m["query"] or ""))
    if len({k for k, _ in query}) != len(query):
        return None  # SQLAlchemy makes a list of a repeated key
    return PlainUrl(
        drivername=scheme if "+" in scheme else dialects.get(known).driver,
        username=None if m["username"] is None else unquote(m["username"]),
        password=None if m["password"] is None else unquote(m["password"]),
        host=m["host"] or None,
        port=int(m["port"]) if m["port"] else None,
        database=None if m["database"] is None else unquote(m["database"]),
        query=query,
    )


def refuse_without_database(url: URL | PlainUrl) -> None:
    """A server URL must name its database before anything reads through it: the server would
    pick its default database and a check would read that one."""
    if not dialects.of(url).file_based and not url.database:
        raise UsageError(f"{describe(url)} names no database (…/DBNAME)")


def require_database_name(url: str | None, option: str = "--db") -> None:
    """A server URL must name its database: ``postgresql://host/`` would silently mean the
    server's default database (and whatever writes through it would write there)."""
    if url is None:
        return
    parsed = parse_url(url)
    if not dialects.of(parsed).file_based and not parsed.database:
        raise UsageError(f"{option} {describe(parsed)} names no database (…/DBNAME)")


def dialect_of(url: str | URL | Engine | Connection) -> str:
    """Canonical dialect name of a URL, engine or connection."""
    return dialects.of(url).name


_PASSWORD_IN_URL = re.compile(r"(?P<pre>[a-zA-Z][\w+.-]*://[^:/@\s]*:)(?P<pw>[^@\s]*)(?P<at>@)")
_PASSWORD_IN_DSN = re.compile(r"(?P<pre>password\s*=\s*)(?P<pw>'[^']*'|\S+)", re.IGNORECASE)


def redact(text: str | URL | None) -> str:
    """Replace every password in a URL, DSN or message by ``***``."""
    if text is None:
        return ""
    if not isinstance(text, str):  # a SQLAlchemy URL
        return text.render_as_string(hide_password=True)
    text = _PASSWORD_IN_URL.sub(lambda m: f"{m['pre']}***{m['at']}", text)
    return _PASSWORD_IN_DSN.sub(lambda m: f"{m['pre']}***", text)


def describe(url: str | URL | PlainUrl) -> str:
    """A short, password-free name for a database: ``postgresql://host:5432/db``."""
    if isinstance(url, str):
        url = plain_url(url) or parse_url(url)
    return dialects.of(url).describe(url)


def make_engine(url: str | URL | None, **kwargs) -> Engine:
    """An engine for a user's URL. Nothing connects until first use.

    The dialect's ``connect_args`` (a bounded connect among them) are the defaults; ``connect_args``
    given here are merged over them. Each new connection gets the dialect's ``on_connect``.
    """
    import sqlalchemy as sa

    parsed = url if isinstance(url, sa.engine.URL) else parse_url(url)
    dialect = dialects.of(parsed)
    connect_args = {**dialect.connect_args, **kwargs.pop("connect_args", {})}
    options: dict = {"future": True, "connect_args": connect_args}
    options.update(kwargs)
    engine = sa.create_engine(parsed, **options)
    sa.event.listen(engine, "connect", lambda dbapi_conn, _record: dialect.on_connect(dbapi_conn))
    sa.event.listen(engine, "handle_error", _remember_where)
    return engine


def _remember_where(context: ExceptionContext) -> None:
    """Tag a driver error with the engine's URL, and whether it came while connecting, so
    that :func:`database_failure` can name the database wherever the error is finally caught."""
    error = context.sqlalchemy_exception
    if error is not None and context.engine is not None:
        error.driftline_url = context.engine.url  # type: ignore[attr-defined]
        error.driftline_connecting = context.connection is None  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Timeouts:
    """Guards every checker runs under: a check must never block production."""

    statement_ms: int = 30_000
    lock_ms: int = 2_000


@contextlib.contextmanager
def read_only(engine: Engine, timeouts: Timeouts | None = None) -> Iterator[Connection]:
    """A connection inside a read-only transaction with statement and lock timeouts.

    The transaction is always rolled back. Connection and permission problems become
    :class:`ConnectionFailed` / :class:`PermissionDenied` naming the host, never the password.
    """
    import sqlalchemy as sa

    t = timeouts or Timeouts()
    dialect = dialects.of(engine)
    refuse_without_database(engine.url)
    try:
        conn = engine.connect()
    except sa.exc.SQLAlchemyError as exc:
        raise connection_error(engine.url, exc) from None
    # catalog queries may run on the driver's own cursor (driftline.schema.catalog.rows)
    driver_error = engine.dialect.loaded_dbapi.Error
    from driftline import readguard

    readguard.set_deadline(conn, t.statement_ms / 1000 + readguard.GRACE_S)
    try:
        with conn.begin() as tx:
            dialect.begin_read_only(conn, t)
            try:
                yield conn
            except (sa.exc.DBAPIError, driver_error) as exc:
                mapped = database_error(engine.url, exc, timeouts)
                if mapped is exc:
                    raise
                raise mapped from None
            except DatabaseTimeout:
                conn.invalidate()  # its socket was shut down: nothing to roll back over it
                raise
            finally:
                if not conn.invalidated:
                    tx.rollback()
    finally:
        # The pool hands this connection to writers next: undo the session's read-only settings,
        # or drop the connection when that fails.
        try:
            if not conn.invalidated:
                dialect.end_read_only(conn)
        except Exception:
            conn.invalidate()
        readguard.set_deadline(conn, None)
        conn.close()


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    args = getattr(orig, "args", ())
    if len(args) == 2 and isinstance(args[0], int) and isinstance(args[1], str):
        orig = args[1]  # PyMySQL's (code, message)
    text = str(orig).strip().splitlines()
    return redact(text[0] if text else type(orig).__name__)


def connection_error(url: URL, exc: BaseException) -> ConnectionFailed:
    mapped = database_error(url, exc)
    if isinstance(mapped, DatabaseTimeout):  # e.g. a SQLite file another process holds locked
        return mapped
    return ConnectionFailed(f"cannot connect to {describe(url)}: {_first_line(exc)}")


def database_error(
    url: URL | PlainUrl,
    exc: BaseException,
    timeouts: Timeouts | None = None,
    what: str = "",
    *,
    options: bool = True,
) -> Exception:
    """Map a driver error met while reading to the driftline error it means, or return ``exc``.

    A lock held by another session, the statement timeout and a server that stopped answering
    become :class:`DatabaseTimeout` naming the host, what was being read (``what``, e.g.
    ``query 'pickup'``) and the option that lets it wait longer.
    """
    text = _first_line(exc)
    t = timeouts or Timeouts()
    # the options exist where a command lets the user set the timeouts (it passes them here)
    hint = bool(timeouts) and options
    lock_hint = ", or wait longer with --lock-timeout-ms" if hint else ""
    statement_hint = "; allow more with --statement-timeout-ms" if hint else ""
    waited = f"{t.lock_ms} ms" if timeouts else "the lock timeout"
    kind = dialects.of(url).timeout_kind(getattr(exc, "orig", None) or exc)
    where = f"{describe(url)}: {what + ': ' if what else ''}"
    if kind == "lock":
        return DatabaseTimeout(
            f"{where}another session holds a lock this statement needs ({text}); gave up after "
            f"{waited}: retry when it is released{lock_hint}",
            kind,
        )
    if kind == "statement":
        return DatabaseTimeout(
            f"{where}stopped by the statement timeout of {t.statement_ms} ms ({text})"
            + statement_hint,
            kind,
        )
    if kind == "read":
        return DatabaseTimeout(f"{where}the server stopped answering mid-read ({text})")
    if re.search(r"permission denied|access denied|command denied|not authorized", text, re.I):
        return PermissionDenied(f"{describe(url)}: {text}")
    return exc


def database_failure(exc: BaseException) -> DriftlineError | None:
    """The driftline error a driver error that escaped its command means, or None.

    Reads and the drills' lock waits map their errors where they happen (:func:`read_only`,
    :func:`database_error`); everything else that talks to a database (drills' DDL, seeding,
    scratch databases, stress set-up) lets the driver's error rise, and the CLI asks here. The
    engine that raised it tagged it with its URL (:func:`make_engine`), so the line names the
    host and database, never a password: an unreachable server or a lost connection is
    :class:`ConnectionFailed`, a missing privilege :class:`PermissionDenied`, any other failed
    statement :class:`DatabaseFailed`.
    """
    import sqlalchemy as sa

    if isinstance(exc, DriftlineError):
        return exc
    if not isinstance(exc, sa.exc.DBAPIError):
        return None
    url = getattr(exc, "driftline_url", None)
    text = _first_line(exc)
    if url is None:
        return DatabaseFailed(f"database error: {text}")
    if getattr(exc, "driftline_connecting", False):
        return connection_error(url, exc)
    mapped = database_error(url, exc)
    if mapped is not exc:
        return mapped  # type: ignore[return-value]
    if exc.connection_invalidated or isinstance(exc, sa.exc.InterfaceError):
        return ConnectionFailed(f"lost the connection to {describe(url)}: {text}")
    return DatabaseFailed(f"{describe(url)}: {text}")


def server_version(conn: Connection) -> str:
    """The server's version string, e.g. ``15.20`` or ``10.11.19-MariaDB``."""
    return dialects.of(conn).server_version(conn)


def connect_check(engine: Engine) -> None:
    """Connect once, raising ConnectionFailed with a clear one-line reason."""
    import sqlalchemy as sa

    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.SQLAlchemyError as exc:
        raise connection_error(engine.url, exc) from None
