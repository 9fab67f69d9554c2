"""MySQL and MariaDB: PyMySQL, backtick quoting, ``MODIFY`` and ``RENAME INDEX`` DDL."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar

from driftline.dialects.base import Dialect
from driftline.dialects.ddl import Ddl

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from driftline.db import Timeouts
    from driftline.schema.model import Index, Table

#: a key on a column prefix, as information_schema reports it: ``title(20)``
_PREFIX = re.compile(r"^(?P<column>[A-Za-z_][A-Za-z0-9_$]*)\((?P<length>\d+)\)(?P<order> desc)?$")
#: index kinds written before INDEX rather than as USING
_KIND_WORDS = {"fulltext": "FULLTEXT", "spatial": "SPATIAL"}


class MySQLDdl(Ddl):
    index_nulls = False  # NULLs sort first ascending, last descending; not configurable

    def index_key(self, key: str, option: str = "") -> str:
        prefix = _PREFIX.match(key.strip())
        if prefix:
            order = " DESC" if prefix["order"] else ""
            return f"{self.q(prefix['column'])}({prefix['length']}){order}"
        return super().index_key(key, option)

    def create_index(self, table: str, index: Index, *, concurrently: bool | None = None) -> str:
        sql = super().create_index(table, index, concurrently=False)
        kind = _KIND_WORDS.get((index.method or "").lower())
        return sql.replace("CREATE INDEX", f"CREATE {kind} INDEX", 1) if kind else sql

    def index_method(self, index: Index) -> str:
        return ""

    def index_suffix(self, index: Index) -> str:
        method = (index.method or "").lower()
        return f" USING {method.upper()}" if method and method not in _KIND_WORDS else ""

    def table_option(
        self, expected: Table, actual: Table, key: str, value: str | None
    ) -> str | None:
        if key == "engine" and value:
            return self.alter(actual.name, f"ENGINE = {value}")
        if key == "collation" and value:
            return self.alter(actual.name, f"DEFAULT COLLATE = {value}")
        return None

    def identity_clause(self, identity: str) -> str:
        return "AUTO_INCREMENT"

    def drop_index(self, table: str, name: str) -> str:
        return f"DROP INDEX {self.q(name)} ON {self.table_name(table)};"

    def rename_index(self, table: str, old: str, new: str, index: Index) -> str:
        return self.alter(table, f"RENAME INDEX {self.q(old)} TO {self.q(new)}")

    def change_column(
        self, expected: Table, actual: Table, name: str, aspect: str | None = None
    ) -> str:
        # MODIFY restates the whole column: type, NULL/NOT NULL and default at once.
        return self.alter(expected.name, f"MODIFY {self.column_definition(expected.columns[name])}")

    def rename_constraint(
        self, expected: Table, actual: Table, old: str, new: str, kind: str
    ) -> str:
        # no RENAME CONSTRAINT: the constraint is dropped and added under its baseline name
        drop = self.drop_constraint(actual.name, old, kind)
        return drop + "\n" + self.add_named(expected, new, kind)

    def drop_constraint(self, table: str, name: str, kind: str) -> str:
        verb = {"foreign_key": "FOREIGN KEY", "unique": "INDEX"}.get(kind, "CONSTRAINT")
        return self.alter(table, f"DROP {verb} {self.q(name)}")

    def view_query(self, definition: str) -> str:
        # The server qualifies every table with its database; the fix must run in any database.
        from sqlglot import exp
        from sqlglot.errors import SqlglotError

        try:
            tree = exp.maybe_parse(definition, dialect="postgres")
        except SqlglotError:
            return super().view_query(definition)
        for node in tree.find_all(exp.Table, exp.Column):
            node.set("catalog", None)
            node.set("db", None)
        return super().view_query(tree.sql(dialect="postgres"))


class MySQL(Dialect):
    name = "mysql"
    plans_module = "driftline.plans.mysql"
    inspector_module = "driftline.schema.inspect_mysql"
    ddl_class = MySQLDdl
    aliases = ("mysql", "mariadb")
    driver = "mysql+pymysql"
    sqlglot = "mysql"
    quote_char = "`"
    index_names_per_table = True
    #: PyMySQL's handshake is a read, bounded only by the read timeout: it starts at the connect
    #: timeout (a server that accepts and never answers fails in seconds) and is widened to
    #: READ_TIMEOUT_S once connected (a server that stops answering mid-query).
    connect_args: ClassVar[dict[str, Any]] = {
        "connect_timeout": 5,
        "read_timeout": 5,
        "write_timeout": 600,
        "charset": "utf8mb4",
    }
    READ_TIMEOUT_S: ClassVar[int] = 600

    def on_connect(self, dbapi_conn: Any) -> None:
        # PyMySQL reads ``_read_timeout`` before every read; it has no public setter.
        if hasattr(dbapi_conn, "_read_timeout"):
            dbapi_conn._read_timeout = self.READ_TIMEOUT_S
        from driftline import readguard

        readguard.guard(dbapi_conn)  # a statement's own deadline, shorter than the above

    def raw_type(self, text: str) -> str:
        # tinyint(1) is how MySQL spells BOOLEAN; integer display widths mean nothing
        if text in ("tinyint(1)", "tinyint(1) unsigned"):
            return "boolean"
        return re.sub(r"\b(int|bigint|smallint|tinyint|mediumint)\(\d+\)", r"\1", text)

    def begin_read_only(self, conn: Connection, timeouts: Timeouts) -> None:
        t = timeouts
        if conn.dialect.is_mariadb:  # detected by SQLAlchemy when it connected
            conn.exec_driver_sql(f"SET SESSION max_statement_time = {t.statement_ms / 1000:.3f}")
        else:
            conn.exec_driver_sql(f"SET SESSION max_execution_time = {int(t.statement_ms)}")
        lock_s = max(1, t.lock_ms // 1000)
        conn.exec_driver_sql(f"SET SESSION lock_wait_timeout = {lock_s}")
        conn.exec_driver_sql(f"SET SESSION innodb_lock_wait_timeout = {lock_s}")
        conn.exec_driver_sql("SET SESSION TRANSACTION READ ONLY")

    def end_read_only(self, conn: Connection) -> None:
        limit = "max_statement_time" if conn.dialect.is_mariadb else "max_execution_time"
        conn.exec_driver_sql("SET SESSION TRANSACTION READ WRITE")
        conn.exec_driver_sql(
            f"SET SESSION {limit} = DEFAULT, lock_wait_timeout = DEFAULT, "
            "innodb_lock_wait_timeout = DEFAULT"
        )

    #: server error codes: lock wait timeout; MariaDB max_statement_time, MySQL
    #: max_execution_time; the client's read timeout (lost connection during query)
    _LOCK_ERRORS: ClassVar[frozenset[int]] = frozenset({1205})
    _STATEMENT_ERRORS: ClassVar[frozenset[int]] = frozenset({1969, 3024})
    _READ_ERRORS: ClassVar[frozenset[int]] = frozenset({2013})

    def analyze_sql(self, table: str) -> str:
        return f"ANALYZE TABLE {table}"

    def lock_timeout_sql(self, ms: int) -> str | None:
        return f"SET SESSION lock_wait_timeout = {max(1, int(ms) // 1000)}"

    def timeout_kind(self, error: BaseException) -> str | None:
        code = error.args[0] if error.args and isinstance(error.args[0], int) else None
        if code in self._LOCK_ERRORS:
            return "lock"
        if code in self._STATEMENT_ERRORS:
            return "statement"
        if code in self._READ_ERRORS and "timed out" in str(error):
            return "read"
        return None

    def server_version(self, conn: Connection) -> str:
        raw = str(conn.exec_driver_sql("SELECT VERSION()").scalar())
        match = re.match(r"[\d.]+(-MariaDB)?", raw)
        return match.group(0) if match else raw

    def create_database_sql(self, name: str) -> str:
        return (
            f"{super().create_database_sql(name)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        )
