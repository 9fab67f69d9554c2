"""The part of the DDL renderer for whole tables and objects outside tables: tables, views,
materialized views, sequences and extensions. Mixed into :class:`driftline.dialects.ddl.Ddl`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from driftline.dialects.base import Dialect
    from driftline.schema.model import Sequence, Table


class ObjectsDdl:
    dialect: Dialect

    # provided by Ddl
    def q(self, name: str) -> str: ...
    def table_name(self, name: str) -> str: ...
    def type(self, normalized: str) -> str: ...
    def transpile(self, text: str) -> str: ...

    def drop_table(self, name: str) -> str:
        return f"DROP TABLE {self.table_name(name)};"

    def view_query(self, definition: str) -> str:
        """The view's query in this dialect (SQLite keeps a view as its whole CREATE VIEW)."""
        import sqlglot
        from sqlglot import exp
        from sqlglot.errors import SqlglotError

        try:
            tree = sqlglot.parse_one(definition, read="postgres")
        except SqlglotError:
            return definition
        if isinstance(tree, exp.Create) and tree.expression is not None:
            tree = tree.expression
        return tree.sql(dialect=self.dialect.sqlglot, identify=True)

    def create_view(
        self, name: str, definition: str, *, replace: bool = False, materialized: bool = False
    ) -> str:
        """CREATE VIEW; ``replace`` replaces a changed one (a materialized view is rebuilt)."""
        query = self.view_query(definition)
        if materialized:
            create = f"CREATE MATERIALIZED VIEW {self.table_name(name)} AS {query};"
            if replace:
                return f"DROP MATERIALIZED VIEW {self.table_name(name)};\n{create}"
            return create
        verb = "CREATE OR REPLACE VIEW" if replace else "CREATE VIEW"
        return f"{verb} {self.table_name(name)} AS {query};"

    def drop_view(self, name: str, *, materialized: bool = False) -> str:
        kind = "MATERIALIZED VIEW" if materialized else "VIEW"
        return f"DROP {kind} {self.table_name(name)};"

    def create_sequence(self, sequence: Sequence) -> str:
        """CREATE SEQUENCE with the baseline's type, start, increment, bounds and cycle."""
        s = sequence
        # IF NOT EXISTS: an identity column's fix may already have brought its sequence back
        text = f"CREATE SEQUENCE IF NOT EXISTS {self.table_name(s.name)} AS {self.type(s.type)}"
        text += f" START WITH {s.start} INCREMENT BY {s.increment}"
        if s.min_value is not None:
            text += f" MINVALUE {s.min_value}"
        if s.max_value is not None:
            text += f" MAXVALUE {s.max_value}"
        text += " CYCLE;" if s.cycle else ";"
        if s.owned_by:
            owner = self.table_name(s.owned_by)
            text += f"\nALTER SEQUENCE {self.table_name(s.name)} OWNED BY {owner};"
        return text

    def alter_sequence(self, want: Sequence, have: Sequence) -> str:
        """Give the live sequence the baseline's type, increment, bounds and cycle."""
        parts = []
        if want.type != have.type:
            parts.append(f"AS {self.type(want.type)}")
        if want.increment != have.increment:
            parts.append(f"INCREMENT BY {want.increment}")
        if want.min_value != have.min_value:
            parts.append(
                f"MINVALUE {want.min_value}" if want.min_value is not None else "NO MINVALUE"
            )
        if want.max_value != have.max_value:
            parts.append(
                f"MAXVALUE {want.max_value}" if want.max_value is not None else "NO MAXVALUE"
            )
        if want.start != have.start:
            parts.append(f"START WITH {want.start}")
        if want.cycle != have.cycle:
            parts.append("CYCLE" if want.cycle else "NO CYCLE")
        return f"ALTER SEQUENCE {self.table_name(want.name)} {' '.join(parts)};"

    def sequence_owner(self, want: Sequence) -> str:
        owner = self.table_name(want.owned_by) if want.owned_by else "NONE"
        return f"ALTER SEQUENCE {self.table_name(want.name)} OWNED BY {owner};"

    def drop_sequence(self, name: str) -> str:
        return f"DROP SEQUENCE IF EXISTS {self.table_name(name)};"

    def create_extension(self, name: str) -> str:
        return f"CREATE EXTENSION IF NOT EXISTS {self.q(name)};"

    def update_extension(self, name: str, version: str) -> str:
        return f"ALTER EXTENSION {self.q(name)} UPDATE TO '{version}';"

    def drop_extension(self, name: str) -> str:
        return f"DROP EXTENSION {self.q(name)};"

    def table_option(
        self, expected: Table, actual: Table, key: str, value: str | None
    ) -> str | None:
        """Restore one table setting (``unlogged``, ``engine``…) to ``value``; None where no
        statement can (partitioning moves data into another table: a migration, not a fix)."""
        return None
