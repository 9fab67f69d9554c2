"""The part of the DDL renderer for whole tables and objects outside tables: tables, views,
materialized views, sequences and extensions. Mixed into :class:`driftline.dialects.ddl.Ddl`,
which provides the pieces declared at the top of the class."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from driftline.dialects.base import Dialect
    from driftline.schema.model import Column, ForeignKey, Index, Sequence, Table


class ObjectsDdl:
    dialect: Dialect

    # provided by Ddl
    def q(self, name: str) -> str: ...
    def table_name(self, name: str) -> str: ...
    def type(self, normalized: str) -> str: ...
    def transpile(self, text: str) -> str: ...
    def columns(self, names: tuple[str, ...] | list[str]) -> str: ...
    def column_definition(self, column: Column) -> str: ...
    def constraint(self, name: str, body: str) -> str: ...
    def unique_body(self, columns: tuple[str, ...]) -> str: ...
    def check_body(self, expression: str) -> str: ...
    def foreign_key_body(self, fk: ForeignKey) -> str: ...
    def create_index(
        self, table: str, index: Index, *, concurrently: bool | None = None
    ) -> str: ...

    def table_suffix(self, table: Table) -> str:
        """Table options written after CREATE TABLE's parentheses (SQLite: STRICT)."""
        return ""

    def create_table(self, table: Table, name: str | None = None) -> str:
        """The whole table from the model: columns, keys, constraints, then its indexes."""
        parts = [self.column_definition(c) for c in table.columns.values()]
        if table.primary_key:
            parts.append(f"PRIMARY KEY ({self.columns(table.primary_key)})")
        for uname, cols in sorted(table.uniques.items()):
            parts.append(self.constraint(uname, self.unique_body(cols)))
        for cname, expression in sorted(table.checks.items()):
            parts.append(self.constraint(cname, self.check_body(expression)))
        for fname, fk in sorted(table.foreign_keys.items()):
            parts.append(self.constraint(fname, self.foreign_key_body(fk)))
        body = ",\n  ".join(parts)
        suffix = self.table_suffix(table)
        out = [
            f"CREATE TABLE {self.table_name(name or table.name)} (\n  {body}\n)"
            + (f" {suffix};" if suffix else ";")
        ]
        out += [
            self.create_index(table.name, ix, concurrently=False)
            for _, ix in sorted(table.indexes.items())
        ]
        return "\n".join(out)

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
