"""A client-side deadline on every statement, for servers that stop answering mid-read.

A server-side statement timeout ends a slow query, but not a read the server never sees: a
proxy, a paused backend or a cut network leaves the client waiting on its socket, and libpq has
no read timeout at all (``tcp_user_timeout`` and keepalives are answered by any live peer's
kernel). So :func:`guard` gives a psycopg or PyMySQL connection cursors that arm a deadline
before each statement and disarm it after; one watchdog thread shuts the socket of a statement
past its deadline down, the driver's blocked read returns, and the cursor raises
:class:`~driftline.errors.DatabaseTimeout` naming the host. Raw cursors (catalog reads) and
SQLAlchemy's alike go through it.

A statement gets :data:`DEFAULT_S`, or what :func:`set_deadline` gave its connection
(:func:`driftline.db.read_only`: the statement timeout plus :data:`GRACE_S`).
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

#: the longest any statement may go without an answer outside a read-only check
DEFAULT_S = 600.0
#: how much longer than its statement timeout a read-only statement may take
GRACE_S = 10.0
_ATTR = "_driftline_read_deadline_s"

_lock = threading.Lock()
#: id(driver connection) -> (deadline, socket fd)
_armed: dict[int, tuple[float, int]] = {}
_fired: set[int] = set()
_wake = threading.Event()
_thread: threading.Thread | None = None


def _driver(conn: Any) -> Any:
    """The driver connection under a SQLAlchemy connection (or ``conn`` itself)."""
    proxied = getattr(conn, "connection", None)
    return getattr(proxied, "driver_connection", None) or conn


def set_deadline(conn: Any, seconds: float | None) -> None:
    """Give each statement of ``conn`` (driver or SQLAlchemy connection) ``seconds``; None:
    back to :data:`DEFAULT_S`."""
    if getattr(conn, "closed", False) is True or getattr(conn, "invalidated", False):
        return  # asking a dead SQLAlchemy connection for its driver would reconnect
    with contextlib.suppress(AttributeError):
        setattr(_driver(conn), _ATTR, DEFAULT_S if seconds is None else float(seconds))


def guard(dbapi_conn: Any) -> None:
    """Make every cursor of a psycopg or PyMySQL connection a guarded one."""
    module = type(dbapi_conn).__module__
    if module.startswith("psycopg"):
        dbapi_conn.cursor_factory = _pg_cursor()
    elif module.startswith("pymysql"):
        dbapi_conn.cursorclass = _mysql_cursor(dbapi_conn.cursorclass)


def _socket_fd(dbapi_conn: Any) -> int | None:
    pgconn = getattr(dbapi_conn, "pgconn", None)
    if pgconn is not None:
        fd = pgconn.socket
        return fd if isinstance(fd, int) and fd >= 0 else None
    sock = getattr(dbapi_conn, "_sock", None)
    return sock.fileno() if isinstance(sock, socket.socket) else None


def _where(dbapi_conn: Any) -> str:
    info = getattr(dbapi_conn, "info", None)
    if info is not None and hasattr(info, "dbname"):  # psycopg
        return f"postgresql://{info.host}:{info.port}/{info.dbname}"
    db = getattr(dbapi_conn, "db", b"") or b""
    db = db.decode() if isinstance(db, bytes) else str(db)
    return f"mysql://{getattr(dbapi_conn, 'host', '?')}:{getattr(dbapi_conn, 'port', '?')}/{db}"


@contextlib.contextmanager
def armed(dbapi_conn: Any, driver_error: type[BaseException]) -> Iterator[None]:
    """Run one statement under its connection's deadline; past it, raise DatabaseTimeout."""
    fd = _socket_fd(dbapi_conn)
    if fd is None:
        yield
        return
    seconds = getattr(dbapi_conn, _ATTR, DEFAULT_S)
    key = id(dbapi_conn)
    with _lock:
        _armed[key] = (time.monotonic() + seconds, fd)
        _fired.discard(key)
    _ensure_thread()
    try:
        yield
    except driver_error:
        with _lock:
            fired = key in _fired
            _fired.discard(key)
        if not fired:
            raise
        from driftline.errors import DatabaseTimeout

        raise DatabaseTimeout(
            f"{_where(dbapi_conn)}: no answer within {seconds:.0f} s in the middle of a read "
            "(the server or the network to it stopped); gave up"
        ) from None
    finally:
        with _lock:
            _armed.pop(key, None)


def _pg_cursor() -> type:
    import psycopg

    global _PG_CURSOR
    if _PG_CURSOR is None:

        class GuardedCursor(psycopg.Cursor):
            def execute(self, *args: Any, **kwargs: Any) -> Any:
                with armed(self.connection, psycopg.OperationalError):
                    return super().execute(*args, **kwargs)

            def executemany(self, *args: Any, **kwargs: Any) -> Any:
                with armed(self.connection, psycopg.OperationalError):
                    return super().executemany(*args, **kwargs)

        _PG_CURSOR = GuardedCursor
    return _PG_CURSOR


_PG_CURSOR: type | None = None
_MYSQL_CURSORS: dict[type, type] = {}


def _mysql_cursor(base: type) -> type:
    import pymysql

    if base not in _MYSQL_CURSORS:

        class GuardedCursor(base):  # type: ignore[misc, valid-type]
            def execute(self, *args: Any, **kwargs: Any) -> Any:
                with armed(self.connection, pymysql.err.OperationalError):
                    return super().execute(*args, **kwargs)

            def executemany(self, *args: Any, **kwargs: Any) -> Any:
                with armed(self.connection, pymysql.err.OperationalError):
                    return super().executemany(*args, **kwargs)

        _MYSQL_CURSORS[base] = GuardedCursor
    return _MYSQL_CURSORS[base]


def _ensure_thread() -> None:
    global _thread
    if _thread is not None and _thread.is_alive():
        return
    with _lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_watch, name="driftline-readguard", daemon=True)
            _thread.start()


def _watch() -> None:
    while True:
        now = time.monotonic()
        with _lock:
            expired = [(key, fd) for key, (deadline, fd) in _armed.items() if deadline <= now]
            for key, _fd in expired:
                _armed.pop(key)
                _fired.add(key)
            upcoming = min((d for d, _fd in _armed.values()), default=now + 1.0)
        for _key, fd in expired:
            _shutdown(fd)
        _wake.wait(timeout=min(1.0, max(0.05, upcoming - time.monotonic())))
        _wake.clear()


def _shutdown(fd: int) -> None:
    """Shut the connection's socket down (a duplicate shares it): the blocked read returns."""
    with contextlib.suppress(OSError):
        dup = socket.socket(fileno=os.dup(fd))
        with contextlib.suppress(OSError):
            dup.shutdown(socket.SHUT_RDWR)
        dup.close()
