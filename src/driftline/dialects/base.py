"""The base of every dialect: what all three databases share, and the hooks where they differ.

A dialect is a small class of differences (as in sqlglot's own dialect classes): connecting and
the read-only session, the server version, the catalog inspector, EXPLAIN, scratch databases,
quoting and identifier folding, and DDL rendering (:attr:`Dialect.ddl`). Nothing here imports
SQLAlchemy or the inspectors at module import time, so asking for a dialect stays cheap.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
from abc import ABC, abstractmethod
from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Connection

    from driftline.db import PlainUrl, Timeouts
    from driftline.dialects.ddl import Ddl
    from driftline.schema.model import Schema


class Dialect(ABC):
    """One database family. Instances are shared: get them with :func:`driftline.dialects.get`."""

    #: canonical name, the one written into baselines and captures
    name: ClassVar[str]
    #: every spelling a user may type for it (the canonical name included)
    aliases: ClassVar[tuple[str, ...]]
    #: SQLAlchemy driver a URL without ``+driver`` is opened with
    driver: ClassVar[str]
    #: sqlglot's name for the dialect
    sqlglot: ClassVar[str]
    #: character that quotes an identifier
    quote_char: ClassVar[str] = '"'
    #: a database is a file (no server, no host)
    file_based: ClassVar[bool] = False
    #: schema a bare table name lives in, where the dialect has schemas
    default_schema: ClassVar[str | None] = None
    #: DROP INDEX needs the index's table (``DROP INDEX i ON t``)
    index_names_per_table: ClassVar[bool] = False
    #: driver options every engine is created with (connect timeout among them)
    connect_args: ClassVar[dict[str, Any]] = {}

    def __repr__(self) -> str:
        return f"<dialect {self.name}>"

    # --- names -----------------------------------------------------------------------------
    def quote(self, name: str) -> str:
        """Quote one identifier: ``ticket`` → ``"ticket"`` (``ticket`` in backticks on MySQL)."""
        mark = self.quote_char
        return f"{mark}{name.replace(mark, mark * 2)}{mark}"

    def qualified(self, name: str) -> str:
        """Quote each dotted part: ``public.ticket`` → ``"public"."ticket"``."""
        return ".".join(self.quote(part) for part in name.split("."))

    def raw_type(self, text: str) -> str:
        """A catalog's lower-case type spelling, before sqlglot normalizes it."""
        return text

    def fold(self, name: str) -> str:
        """The name the server stores for an unquoted identifier (PostgreSQL: lower case)."""
        return name

    # --- connecting ------------------------------------------------------------------------
    def on_connect(self, dbapi_conn: Any) -> None:  # noqa: B027 - most dialects need nothing
        """Called on every new driver connection (after ``connect_args`` were applied)."""

    @abstractmethod
    def begin_read_only(self, conn: Connection, timeouts: Timeouts) -> None:
        """Turn the open transaction of ``conn`` read-only with statement and lock timeouts."""

    def end_read_only(self, conn: Connection) -> None:  # noqa: B027 - most need nothing
        """Undo session settings that outlive the transaction (after its rollback)."""

    #: catalog queries a driver-only inspection runs on a second session at the same time
    catalog_prefetch: ClassVar[tuple[str, ...]] = ()

    def catalog_session(
        self, url: PlainUrl, timeouts: Timeouts
    ) -> contextlib.AbstractContextManager[Any] | None:
        """A read-only session opened with the driver alone (no SQLAlchemy), yielding a DB-API
        connection for the catalog queries, or None where the dialect opens none this way."""
        return None

    @abstractmethod
    def server_version(self, conn: Connection) -> str:
        """The server's version string, e.g. ``15.20`` or ``10.11.19-MariaDB``."""

    def describe(self, url: URL) -> str:
        """A short, password-free name for a database: ``postgresql://host:5432/db``."""
        host = url.host or "localhost"
        port = f":{url.port}" if url.port else ""
        return f"{self.name}://{host}{port}/{url.database or ''}"

    def lock_timeout_sql(self, ms: int) -> str | None:
        """The statement that bounds this session's (or transaction's) lock waits, if any."""
        return None

    def analyze_sql(self, table: str) -> str:
        """The statement that refreshes the planner's statistics of ``table`` (quoted)."""
        return f"ANALYZE {table}"

    def pool_options(self, size: int) -> dict[str, Any]:
        """Engine options for a pool of about ``size`` concurrent sessions."""
        return {"pool_size": size, "max_overflow": 4 * size}

    # --- errors ---------------------------------------------------------------------------
    def timeout_kind(self, error: BaseException) -> str | None:
        """What stopped a statement, from the driver's exception: ``"lock"`` (a lock held by
        another session outlasted the lock timeout), ``"statement"`` (the statement timeout),
        ``"read"`` (the server stopped answering), or ``None`` for any other error."""
        return None

    # --- scratch databases -----------------------------------------------------------------
    def create_database_sql(self, name: str) -> str:
        return f"CREATE DATABASE {self.quote(name)}"

    def drop_database_sql(self, name: str) -> str:
        return f"DROP DATABASE IF EXISTS {self.quote(name)}"

    # --- the modules that read this database -----------------------------------------------
    #: the plans module (``explain(conn, sql, …)`` and ``parse(…)``) and the catalog inspector
    #: (``inspect(conn, version)``), imported when first used so that a dialect stays cheap
    plans_module: ClassVar[str]
    inspector_module: ClassVar[str]
    #: the renderer of every fix and restore statement in this dialect
    ddl_class: ClassVar[type[Ddl]]

    @property
    def plans(self) -> ModuleType:
        """The plans module of this dialect: ``explain(conn, sql, …)`` and ``parse(…)``."""
        return importlib.import_module(self.plans_module)

    def inspect(self, conn: Connection, version: str) -> Schema:
        """Snapshot the schema over an open read-only connection."""
        return importlib.import_module(self.inspector_module).inspect(conn, version)

    # --- DDL ------------------------------------------------------------------------------
    @functools.cached_property
    def ddl(self) -> Ddl:
        """The renderer of every fix and restore statement in this dialect."""
        return self.ddl_class(self)
