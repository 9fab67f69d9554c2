"""Loading the catalog SQL files (package data) and running them."""

from __future__ import annotations

import collections
import contextlib
import functools
import threading
from collections.abc import Callable
from importlib import resources
from typing import Any

#: kinds whose definition the objects query returns and the model compares
MODELLED = ("view", "materialized view", "extension")


@functools.cache
def sql(dialect: str, name: str) -> str:
    return (resources.files("driftline.schema") / "sql" / dialect / f"{name}.sql").read_text()


@functools.cache
def _record(fields: tuple[str, ...]) -> type:
    return collections.namedtuple("CatalogRow", fields, rename=True)


class Prefetching:
    """A catalog connection whose heaviest queries run on a second session at the same time.

    A thread opens the second session (``open_session``) and runs the ``names`` queries there
    while this session runs the others, so the server works on both at once and the rows of
    one are built while the other is still being computed. :func:`rows` takes a prefetched
    result (or raises its error) in place of running the query again.
    """

    def __init__(
        self,
        conn: Any,
        open_session: Callable[[], contextlib.AbstractContextManager[Any]],
        dialect: str,
        names: tuple[str, ...],
    ) -> None:
        self.driver_connection = driver_connection(conn)
        self._results: dict[str, Any] = {}
        self._done = threading.Event()
        self._names = set(names)

        def run() -> None:
            opened = False
            try:
                with open_session() as other:
                    opened = True
                    for name in names:
                        self._results[name] = rows(other, dialect, name)
            except BaseException as exc:  # raised where a prefetched result is taken
                if opened:
                    self._results["error"] = exc
                else:  # no second session (e.g. connection limit): the first runs them all
                    self._names.clear()
            finally:
                self._done.set()

        threading.Thread(target=run, name="driftline-catalog-prefetch", daemon=True).start()

    def take(self, name: str) -> list[Any] | None:
        if name not in self._names:
            return None
        self._done.wait()
        if name not in self._names:
            return None
        if "error" in self._results:
            raise self._results["error"]
        return self._results.pop(name)


def driver_connection(conn: Any) -> Any:
    """The DB-API connection under a SQLAlchemy connection (or ``conn`` itself, when it is one)."""
    if isinstance(conn, Prefetching):
        return conn.driver_connection
    proxied = getattr(conn, "connection", None)  # sqlalchemy.engine.Connection
    return getattr(proxied, "driver_connection", None) or conn


def rows(conn: Any, dialect: str, name: str) -> list[Any]:
    """Run one catalog query on a DB-API or SQLAlchemy connection, in its open transaction.

    The query goes to the driver's cursor without parameters, so no driver reads ``%`` or ``:``
    in it as a placeholder, and all rows come back in one ``fetchall``. Rows are named tuples:
    reading a field of one is a few times cheaper than of a SQLAlchemy row, and the inspectors
    read every field of tens of thousands of rows.
    """
    if isinstance(conn, Prefetching) and (taken := conn.take(name)) is not None:
        return taken
    cursor = driver_connection(conn).cursor()
    try:
        cursor.execute(sql(dialect, name))
        record = _record(tuple(d[0] for d in cursor.description))
        return list(map(record._make, cursor.fetchall()))
    finally:
        cursor.close()


def objects(
    conn: Any, dialect: str
) -> tuple[dict[str, dict[str, str]], dict[str, tuple[str, ...]]]:
    """Modelled objects (kind → name → normalized definition or version) and every other
    object kind (kind → sorted names)."""
    from driftline.schema.normalize import expression

    modelled: dict[str, dict[str, str]] = {k: {} for k in MODELLED}
    other: dict[str, list[str]] = {}
    for r in rows(conn, dialect, "objects"):
        if r.kind in ("view", "materialized view"):
            modelled[r.kind][r.name] = expression(r.detail, dialect) or ""
        elif r.kind in modelled:
            modelled[r.kind][r.name] = r.detail or ""
        else:
            other.setdefault(r.kind, []).append(r.name)
    return (
        {k: dict(sorted(v.items())) for k, v in modelled.items()},
        {k: tuple(sorted(v)) for k, v in sorted(other.items())},
    )
