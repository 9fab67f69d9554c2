"""SQLite: a file, ``PRAGMA query_only``, and a table rebuild for every ALTER it lacks."""

from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING, Any, ClassVar

from driftline.dialects.base import Dialect
from driftline.dialects.ddl import Ddl

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Connection

    from driftline.db import Timeouts
    from driftline.schema.model import Index, Table

_REBUILD_PREFIX = "_driftline_new_"


class SQLiteDdl(Ddl):
    index_nulls = False

    def type(self, normalized: str) -> str:
        # SQLite keeps the declared type as written; ``INTEGER PRIMARY KEY`` is the rowid.
        return "INTEGER" if normalized == "int" else normalized.upper()

    def index_method(self, index: Index) -> str:
        return ""

    # A table rebuild repairs the table's indexes too, so index fixes for the same table must
    # still run after one: they tolerate an index that is already there or already gone.
    def create_index(self, table: str, index: Index, *, concurrently: bool | None = None) -> str:
        sql = super().create_index(table, index, concurrently=False)
        return sql.replace("INDEX ", "INDEX IF NOT EXISTS ", 1)

    def drop_index(self, table: str, name: str) -> str:
        return f"DROP INDEX IF EXISTS {self.q(name)};"

    def rename_index(self, table: str, old: str, new: str, index: Index) -> str:
        # SQLite has no ALTER INDEX: the index is dropped and created under its baseline name.
        return self.drop_index(table, old) + "\n" + self.create_index(table, index)

    def rebuild(self, expected: Table, actual: Table) -> str:
        """Rebuild ``actual`` as ``expected``, keeping the rows of the columns both have.

        The procedure of https://sqlite.org/lang_altertable.html (section 7): create the new
        table, copy, drop the old, rename, re-create the indexes, inside one transaction.
        """
        temp = _REBUILD_PREFIX + expected.name
        keep = self.columns(
            [
                name
                for name, column in expected.columns.items()
                if name in actual.columns
                and not column.generated
                and not actual.columns[name].generated
            ]
        )
        lines = [
            "PRAGMA foreign_keys = OFF;",
            "BEGIN;",
            self.create_table(dataclasses.replace(expected, indexes={}), name=temp),
            f"INSERT INTO {self.q(temp)} ({keep}) SELECT {keep} FROM {self.q(actual.name)};",
            self.drop_table(actual.name),
            f"ALTER TABLE {self.q(temp)} RENAME TO {self.q(expected.name)};",
            *(self.create_index(expected.name, ix) for _, ix in sorted(expected.indexes.items())),
            "COMMIT;",
            "PRAGMA foreign_keys = ON;",
        ]
        return "\n".join(lines)

    def add_column(self, expected: Table, actual: Table, name: str) -> str:
        column = expected.columns[name]
        if not column.nullable and column.default is None:  # ADD COLUMN cannot do this here
            return self.rebuild(expected, actual)
        return super().add_column(expected, actual, name)

    def drop_column(self, expected: Table, actual: Table, name: str) -> str:
        used = (
            name in actual.primary_key
            or any(name in ix.columns for ix in actual.indexes.values())
            or any(name in cols for cols in actual.uniques.values())
            or any(name in fk.columns for fk in actual.foreign_keys.values())
            or bool(actual.checks)
        )
        if used:  # DROP COLUMN refuses an indexed or constrained column
            return self.rebuild(expected, actual)
        return super().drop_column(expected, actual, name)

    def change_column(
        self, expected: Table, actual: Table, name: str, aspect: str | None = None
    ) -> str:
        return self.rebuild(expected, actual)

    def restore_primary_key(self, expected: Table, actual: Table) -> str:
        return self.rebuild(expected, actual)

    def restore_check(self, expected: Table, actual: Table, name: str) -> str:
        return self.rebuild(expected, actual)

    def restore_unique(self, expected: Table, actual: Table, name: str) -> str:
        return self.rebuild(expected, actual)

    def restore_foreign_key(self, expected: Table, actual: Table, name: str) -> str:
        return self.rebuild(expected, actual)

    def table_suffix(self, table: Table) -> str:
        words = (("without_rowid", "WITHOUT ROWID"), ("strict", "STRICT"))
        return ", ".join(word for key, word in words if table.options.get(key))

    def table_option(
        self, expected: Table, actual: Table, key: str, value: str | None
    ) -> str | None:
        if key in ("strict", "without_rowid"):  # fixed when the table is created
            return self.rebuild(expected, actual)
        return None

    def rename_constraint(
        self, expected: Table, actual: Table, old: str, new: str, kind: str
    ) -> str:
        return self.rebuild(expected, actual)

    def remove_constraint(self, expected: Table, actual: Table, name: str, kind: str) -> str:
        return self.rebuild(expected, actual)

    def create_view(
        self, name: str, definition: str, *, replace: bool = False, materialized: bool = False
    ) -> str:
        # no CREATE OR REPLACE VIEW here: a changed view is dropped and created
        create = super().create_view(name, definition)
        return f"DROP VIEW IF EXISTS {self.q(name)};\n{create}" if replace else create


class SQLite(Dialect):
    name = "sqlite"
    plans_module = "driftline.plans.sqlite"
    inspector_module = "driftline.schema.inspect_sqlite"
    ddl_class = SQLiteDdl
    aliases = ("sqlite", "sqlite3")
    driver = "sqlite"
    sqlglot = "sqlite"
    file_based = True
    connect_args: ClassVar[dict[str, Any]] = {"timeout": 5, "check_same_thread": False}

    def on_connect(self, dbapi_conn: Any) -> None:
        # SQLite opens any file and fails only at its first read: read the header now, so a file
        # that is no database fails at connect ("file is not a database"), naming the file.
        dbapi_conn.execute("PRAGMA schema_version").fetchall()

    def begin_read_only(self, conn: Connection, timeouts: Timeouts) -> None:
        conn.exec_driver_sql("PRAGMA query_only = ON")
        conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(timeouts.lock_ms)}")
        raw = conn.connection.driver_connection
        deadline = time.monotonic() + timeouts.statement_ms / 1000
        raw.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 10_000)

    def end_read_only(self, conn: Connection) -> None:
        conn.exec_driver_sql("PRAGMA query_only = OFF")
        conn.connection.driver_connection.set_progress_handler(None, 0)

    def pool_options(self, size: int) -> dict[str, Any]:
        # one writer at a time: the default pool serves any number of readers
        return {}

    def timeout_kind(self, error: BaseException) -> str | None:
        text = str(error)
        if text in ("database is locked", "database table is locked"):
            return "lock"
        if text == "interrupted":  # the progress handler's statement deadline
            return "statement"
        return None

    def server_version(self, conn: Connection) -> str:
        return str(conn.exec_driver_sql("SELECT sqlite_version()").scalar())

    def describe(self, url: URL) -> str:
        return f"sqlite:///{url.database or ':memory:'}"
