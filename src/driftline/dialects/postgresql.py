"""PostgreSQL: psycopg 3, ``SET TRANSACTION READ ONLY``, schemas, ``CONCURRENTLY`` index DDL."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from driftline.dialects.base import Dialect
from driftline.dialects.ddl import Ddl

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from driftline.db import PlainUrl, Timeouts
    from driftline.schema.model import Table


class PostgresDdl(Ddl):
    concurrent_indexes = True

    def index_name(self, table: str, name: str) -> str:
        schema = table.rsplit(".", 1)[0] + "." if "." in table else ""
        return self.dialect.qualified(schema + name)

    def drop_index(self, table: str, name: str) -> str:
        how = "CONCURRENTLY " if self.concurrent_indexes else ""
        return f"DROP INDEX {how}{self.index_name(table, name)};"

    def type_action(self, name: str, normalized: str, collation: str | None = None) -> str:
        # A new type may need its values converted: say how, or the server refuses.
        col, kind = self.q(name), self.type(normalized)
        collate = f" COLLATE {self.collation(collation)}" if collation else ""
        return f"ALTER COLUMN {col} TYPE {kind}{collate} USING {col}::{kind}"

    def drop_primary_key(self, table: Table) -> str:
        # The model keeps no constraint name: PostgreSQL's default one is assumed.
        bare = table.name.split(".")[-1]
        return self.alter(table.name, f"DROP CONSTRAINT {self.q(bare + '_pkey')}")

    def add_constraint(self, table: str, name: str, body: str, *, validate: bool = True) -> str:
        # NOT VALID, then validated: writes are not blocked while existing rows are checked.
        if body.startswith(("CHECK", "FOREIGN KEY")):
            add = self.alter(table, f"ADD {self.constraint(name, body)} NOT VALID")
            if not validate:
                return add
            return add + "\n" + self.alter(table, f"VALIDATE CONSTRAINT {self.q(name)}")
        return super().add_constraint(table, name, body)

    def table_option(
        self, expected: Table, actual: Table, key: str, value: str | None
    ) -> str | None:
        table = actual
        if key == "unlogged":
            return self.alter(table.name, "SET UNLOGGED" if value else "SET LOGGED")
        if key == "row_security":
            enable = "ENABLE" if value else "DISABLE"
            force = "FORCE" if value == "forced" else "NO FORCE"
            return "\n".join(
                self.alter(table.name, f"{verb} ROW LEVEL SECURITY") for verb in (enable, force)
            )
        return None


class PostgreSQL(Dialect):
    name = "postgresql"
    plans_module = "driftline.plans.postgresql"
    inspector_module = "driftline.schema.inspect_postgresql"
    ddl_class = PostgresDdl
    aliases = ("postgresql", "postgres", "pg", "psql")
    driver = "postgresql+psycopg"
    sqlglot = "postgres"
    default_schema = "public"
    connect_args: ClassVar[dict[str, Any]] = {"connect_timeout": 5, "application_name": "driftline"}
    catalog_prefetch = ("operator_classes", "collations", "indexes")

    def fold(self, name: str) -> str:
        return name.lower()

    def on_connect(self, dbapi_conn: Any) -> None:
        # libpq has no read timeout: each statement gets a client-side deadline instead
        from driftline import readguard

        readguard.guard(dbapi_conn)

    def _read_only(self, timeouts: Timeouts) -> tuple[str, ...]:
        return (
            "SET TRANSACTION READ ONLY",
            f"SET LOCAL statement_timeout = {int(timeouts.statement_ms)}",
            f"SET LOCAL lock_timeout = {int(timeouts.lock_ms)}",
        )

    def begin_read_only(self, conn: Connection, timeouts: Timeouts) -> None:
        for statement in self._read_only(timeouts):
            conn.exec_driver_sql(statement)

    @contextlib.contextmanager
    def catalog_session(self, url: PlainUrl, timeouts: Timeouts) -> Iterator[Any]:
        # psycopg alone: SQLAlchemy's import and its first-connect queries cost more than the
        # catalog queries of a small database.
        import psycopg

        from driftline.db import connection_error, database_error

        params = {
            "host": url.host,
            "port": url.port,
            "user": url.username,
            "password": url.password,
            "dbname": url.database,
        }
        params = {k: v for k, v in params.items() if v}  # as SQLAlchemy passes them
        params.update(url.query)
        params.update(self.connect_args)
        try:
            conn = psycopg.connect(**params)
        except psycopg.Error as exc:
            raise connection_error(url, exc) from None
        try:  # closing ends the transaction: nothing it read is kept, nothing to roll back
            self.on_connect(conn)
            from driftline import readguard

            readguard.set_deadline(conn, timeouts.statement_ms / 1000 + readguard.GRACE_S)
            try:
                conn.execute("; ".join(self._read_only(timeouts)))  # starts the transaction
                yield conn
            except psycopg.Error as exc:
                mapped = database_error(url, exc, timeouts)
                if mapped is exc:
                    raise
                raise mapped from None
        finally:
            conn.close()

    def lock_timeout_sql(self, ms: int) -> str | None:
        return f"SET LOCAL lock_timeout = {int(ms)}"

    def timeout_kind(self, error: BaseException) -> str | None:
        state = getattr(error, "sqlstate", None)
        if state == "55P03":  # lock_not_available: lock_timeout, or NOWAIT
            return "lock"
        if state == "57014" and "statement timeout" in str(error):  # query_canceled
            return "statement"
        return None

    def server_version(self, conn: Connection) -> str:
        # reported by the server when the connection started: no query
        from driftline.schema.catalog import driver_connection

        return str(driver_connection(conn).info.parameter_status("server_version")).split(" ")[0]

    def drop_database_sql(self, name: str) -> str:
        return f"DROP DATABASE IF EXISTS {self.quote(name)} WITH (FORCE)"
