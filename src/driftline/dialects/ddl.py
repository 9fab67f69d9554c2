"""Every fix and restore statement driftline prints, rendered for one dialect. Never executed here.

Get the renderer from a dialect and hand it ``driftline.schema.model`` objects::

    from driftline import dialects
    ddl = dialects.get("mariadb").ddl
    ddl.create_index("ticket", index)          # CREATE INDEX `ix` ON `ticket` (`a` DESC);
    ddl.drop_index("public.ticket", "ix")      # PostgreSQL: DROP INDEX CONCURRENTLY "public"."ix";
    ddl.rename_index("ticket", "ix_old", "ix", index)
    ddl.add_column(expected, actual, "note")   ddl.drop_column(expected, actual, "extra")
    ddl.change_column(expected, actual, "title")       # type, nullability and default
    ddl.restore_primary_key(expected, actual)
    ddl.restore_check(expected, actual, "ck_prio")     # drops a same-named one first
    ddl.restore_unique(expected, actual, "uq_ref")
    ddl.restore_foreign_key(expected, actual, "fk_ticket_queue")
    ddl.create_table(table)                    # CREATE TABLE with constraints, then its indexes
    ddl.drop_table("ticket")                   ddl.create_view(name, definition, replace=True)
    ddl.create_sequence(sequence)              ddl.create_extension(name)

``expected``/``actual`` are :class:`~driftline.schema.model.Table` objects (baseline and live),
column and constraint names are looked up in them. Each method returns one string: one or more
statements, each ending in ``;`` and on its own line, ready to paste (``split`` splits it back).

What differs per dialect: quoting (MariaDB backticks), index keys (sort order and NULLS where
the dialect has them, expressions and predicates translated by sqlglot from the model's
normalized PostgreSQL spelling), PostgreSQL ``CONCURRENTLY`` by default, and the ALTERs a
dialect lacks — SQLite renames an index by drop + create and rebuilds a table for everything
else ALTER TABLE cannot do there (the procedure of https://sqlite.org/lang_altertable.html).
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

from driftline.dialects.ddl_objects import ObjectsDdl

# sqlglot is imported where it is used: asking for a dialect must not load a SQL parser.
if TYPE_CHECKING:
    from driftline.dialects.base import Dialect
    from driftline.schema.model import Column, ForeignKey, Index, Table

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$")
_ORDER = re.compile(r"^(?P<expr>.*?)(?P<desc> desc)?(?P<nulls> nulls (?:first|last))?$", re.I)


def _synthetic(name: str) -> bool:
    """Names the SQLite inspector makes up for unnamed constraints: ``unique(a, b)``."""
    return "(" in name


class Ddl(ObjectsDdl):
    """The generic renderer; each dialect overrides what its server spells differently."""

    #: ``CREATE INDEX CONCURRENTLY`` (and ``DROP INDEX CONCURRENTLY``) by default
    concurrent_indexes = False
    #: NULLS FIRST/LAST allowed in an index key
    index_nulls = True

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect

    # --- pieces -------------------------------------------------------------------------
    def q(self, name: str) -> str:
        return self.dialect.quote(name)

    def table_name(self, name: str) -> str:
        return self.dialect.qualified(name)

    def type(self, normalized: str) -> str:
        """A model type (``varchar(16)``, ``timestamptz``) in this dialect's spelling."""
        from sqlglot import exp
        from sqlglot.errors import SqlglotError

        try:
            return exp.DataType.build(normalized, dialect="postgres").sql(self.dialect.sqlglot)
        except (SqlglotError, ValueError):
            return normalized.upper()

    def expression(self, normalized: str) -> str:
        """A model expression (stored in PostgreSQL spelling) translated into this dialect."""
        if _IDENT.match(normalized):
            return self.q(normalized)
        return self.transpile(normalized)

    def transpile(self, text: str) -> str:
        """SQL in the model's PostgreSQL spelling, in this dialect (identifiers quoted)."""
        import sqlglot
        from sqlglot.errors import SqlglotError

        try:
            return sqlglot.transpile(
                text, read="postgres", write=self.dialect.sqlglot, identify=True
            )[0]
        except SqlglotError:
            return text

    def index_key(self, key: str, option: str = "") -> str:
        """One key: column or (expression), then operator class/collation, then its order."""
        match = _ORDER.match(key.strip())
        assert match is not None  # the pattern matches every string
        body = match["expr"]
        text = self.q(body) if _IDENT.match(body) else f"({self.expression(body)})"
        if option:
            text += f" {self.key_option(option)}"
        if match["desc"]:
            text += " DESC"
        if match["nulls"] and self.index_nulls:
            text += match["nulls"].upper()
        return text

    def key_option(self, option: str) -> str:
        """``collate "C" text_pattern_ops`` as the model keeps it, with the collation quoted."""
        words = option.split()
        if len(words) >= 2 and words[0].lower() == "collate":
            words[:2] = ["COLLATE", self.collation(words[1])]
        return " ".join(words)

    def collation(self, name: str) -> str:
        return self.q(name.strip('"'))

    def column_definition(self, column: Column) -> str:
        text = f"{self.q(column.name)} {self.type(column.type)}"
        if column.collation:
            text += f" COLLATE {self.collation(column.collation)}"
        if not column.nullable:
            text += " NOT NULL"
        if column.generated:
            text += f" {self.generated_clause(column.generated)}"
        elif column.identity:
            text += f" {self.identity_clause(column.identity)}"
        elif column.default is not None:
            text += f" DEFAULT {self.default(column.default)}"
        return text

    def generated_clause(self, generated: str) -> str:
        """``GENERATED ALWAYS AS (…) STORED`` from the model's ``<expression> [stored|virtual]``."""
        body, _, how = generated.rpartition(" ")
        if how.lower() not in ("stored", "virtual"):
            body, how = generated, "stored"
        return f"GENERATED ALWAYS AS ({self.expression(body)}) {how.upper()}"

    def identity_clause(self, identity: str) -> str:
        return f"GENERATED {identity.upper()} AS IDENTITY"

    def default(self, normalized: str) -> str:
        return self.expression(normalized)

    def columns(self, names: tuple[str, ...] | list[str]) -> str:
        return ", ".join(self.q(c) for c in names)

    def alter(self, table: str, action: str) -> str:
        return f"ALTER TABLE {self.table_name(table)} {action};"

    # --- indexes --------------------------------------------------------------------------
    def create_index(self, table: str, index: Index, *, concurrently: bool | None = None) -> str:
        """``CREATE [UNIQUE] INDEX`` keeping sort order, NULLS, method, INCLUDE and predicate."""
        if concurrently is None:
            concurrently = self.concurrent_indexes
        unique = "UNIQUE " if index.unique else ""
        how = "CONCURRENTLY " if concurrently else ""
        options = index.key_options or ("",) * len(index.columns)
        keys = ", ".join(self.index_key(k, o) for k, o in zip(index.columns, options, strict=False))
        sql = f"CREATE {unique}INDEX {how}{self.q(index.name)} ON {self.table_name(table)}"
        sql += f"{self.index_method(index)} ({keys}){self.index_suffix(index)}"
        if index.include:
            sql += f" INCLUDE ({self.columns(index.include)})"
        if index.where:
            sql += f" WHERE {self.expression(index.where)}"
        return sql + ";"

    def index_method(self, index: Index) -> str:
        return f" USING {index.method}" if index.method else ""

    def index_suffix(self, index: Index) -> str:
        return ""

    def drop_index(self, table: str, name: str) -> str:
        return f"DROP INDEX {self.q(name)};"

    def recreate_index(self, table: str, index: Index) -> str:
        return self.drop_index(table, index.name) + "\n" + self.create_index(table, index)

    def rename_index(self, table: str, old: str, new: str, index: Index) -> str:
        """Give the index ``old`` (defined as ``index``) its baseline name ``new``."""
        return f"ALTER INDEX {self.index_name(table, old)} RENAME TO {self.q(new)};"

    def index_name(self, table: str, name: str) -> str:
        """An index name as DROP/ALTER INDEX take it (schema-qualified where indexes have one)."""
        return self.q(name)

    # --- columns --------------------------------------------------------------------------
    def add_column(self, expected: Table, actual: Table, name: str) -> str:
        """Add the baseline's column ``name`` to ``actual``."""
        column = expected.columns[name]
        return self.alter(actual.name, f"ADD COLUMN {self.column_definition(column)}")

    def drop_column(self, expected: Table, actual: Table, name: str) -> str:
        """Drop the column ``name`` the baseline does not have. Its data is lost."""
        return self.alter(actual.name, f"DROP COLUMN {self.q(name)}")

    def change_column(
        self, expected: Table, actual: Table, name: str, aspect: str | None = None
    ) -> str:
        """Give column ``name`` of ``actual`` the type, nullability and default of ``expected``.

        ``aspect`` (a field of the column: ``type``, ``nullable``, ``default``, ``collation``,
        ``identity`` or ``generated``) limits the fix to that part where the dialect can.
        """
        want, have = expected.columns[name], actual.columns[name]
        if aspect is not None:
            want = dataclasses.replace(have, **{aspect: getattr(want, aspect)})
        col, out = self.q(name), []
        if want.type != have.type or want.collation != have.collation:
            out.append(self.type_action(name, want.type, want.collation))
        if want.nullable != have.nullable:
            out.append(f"ALTER COLUMN {col} {'DROP' if want.nullable else 'SET'} NOT NULL")
        if want.default != have.default:
            if want.default is None:
                out.append(f"ALTER COLUMN {col} DROP DEFAULT")
            else:
                out.append(f"ALTER COLUMN {col} SET DEFAULT {self.default(want.default)}")
        if want.identity != have.identity:
            if want.identity is None:
                out.append(f"ALTER COLUMN {col} DROP IDENTITY")
            elif have.identity is None:
                out.append(f"ALTER COLUMN {col} ADD {self.identity_clause(want.identity)}")
            else:
                out.append(f"ALTER COLUMN {col} SET GENERATED {want.identity.upper()}")
        statements = [self.alter(expected.name, action) for action in out]
        if want.generated != have.generated:
            statements.append(self.regenerate(expected.name, want))
        return "\n".join(statements)

    def regenerate(self, table: str, want: Column) -> str:
        """Give a column the baseline's generation expression (or none)."""
        col = self.q(want.name)
        if want.generated is None:
            return self.alter(table, f"ALTER COLUMN {col} DROP EXPRESSION")
        # the expression of a generated column cannot be altered: it is dropped and added, and
        # its values are computed again from the other columns
        return "\n".join(
            [
                self.alter(table, f"DROP COLUMN {col}"),
                self.alter(table, f"ADD COLUMN {self.column_definition(want)}"),
            ]
        )

    def type_action(self, name: str, normalized: str, collation: str | None = None) -> str:
        collate = f" COLLATE {self.collation(collation)}" if collation else ""
        return f"ALTER COLUMN {self.q(name)} TYPE {self.type(normalized)}{collate}"

    # --- constraints ----------------------------------------------------------------------
    def restore_primary_key(self, expected: Table, actual: Table) -> str:
        out = []
        if actual.primary_key:
            out.append(self.drop_primary_key(actual))
        if expected.primary_key:
            out.append(self.add_primary_key(expected.name, expected.primary_key))
        return "\n".join(out)

    def add_primary_key(self, table: str, columns: tuple[str, ...]) -> str:
        return self.alter(table, f"ADD PRIMARY KEY ({self.columns(columns)})")

    def drop_primary_key(self, table: Table) -> str:
        return self.alter(table.name, "DROP PRIMARY KEY")

    def drop_constraint(self, table: str, name: str, kind: str) -> str:
        """Drop constraint ``name``; ``kind`` is ``check``, ``unique`` or ``foreign_key``."""
        return self.alter(table, f"DROP CONSTRAINT {self.q(name)}")

    def add_constraint(self, table: str, name: str, body: str, *, validate: bool = True) -> str:
        """Add a constraint; ``validate=False`` leaves it NOT VALID where the dialect can."""
        return self.alter(table, f"ADD {self.constraint(name, body)}")

    def constraint(self, name: str, body: str) -> str:
        return body if _synthetic(name) else f"CONSTRAINT {self.q(name)} {body}"

    def check_body(self, expression: str) -> str:
        return f"CHECK ({self.expression(expression)})"

    def unique_body(self, columns: tuple[str, ...]) -> str:
        return f"UNIQUE ({self.columns(columns)})"

    def foreign_key_body(self, fk: ForeignKey) -> str:
        text = (
            f"FOREIGN KEY ({self.columns(fk.columns)}) REFERENCES "
            f"{self.table_name(fk.ref_table)} ({self.columns(fk.ref_columns)})"
        )
        return text + "".join(f" {clause.upper()}" for clause in fk.clauses)

    def _restore(self, actual: Table, name: str, kind: str, present: bool, add: str) -> str:
        drop = self.drop_constraint(actual.name, name, kind) + "\n" if present else ""
        return drop + add

    def restore_check(self, expected: Table, actual: Table, name: str) -> str:
        body = self.check_body(expected.checks[name])
        valid = name not in expected.checks_not_valid
        add = self.add_constraint(expected.name, name, body, validate=valid)
        return self._restore(actual, name, "check", name in actual.checks, add)

    def restore_unique(self, expected: Table, actual: Table, name: str) -> str:
        add = self.add_constraint(expected.name, name, self.unique_body(expected.uniques[name]))
        return self._restore(actual, name, "unique", name in actual.uniques, add)

    def restore_foreign_key(self, expected: Table, actual: Table, name: str) -> str:
        fk = expected.foreign_keys[name]
        body = self.foreign_key_body(fk)
        add = self.add_constraint(expected.name, name, body, validate=fk.valid)
        # the live key may point the same way under another name: that one goes
        same = [
            n
            for n, f in actual.foreign_keys.items()
            if (f.columns, f.ref_table.split(".")[-1]) == (fk.columns, fk.ref_table.split(".")[-1])
        ]
        drops = sorted({*same, *([name] if name in actual.foreign_keys else [])})
        return "\n".join(
            [*(self.drop_constraint(actual.name, n, "foreign_key") for n in drops), add]
        )

    def add_named(self, expected: Table, name: str, kind: str) -> str:
        """ADD the baseline's constraint ``name`` of ``kind`` (check, unique, foreign_key)."""
        if kind == "check":
            body = self.check_body(expected.checks[name])
            valid = name not in expected.checks_not_valid
        elif kind == "unique":
            body, valid = self.unique_body(expected.uniques[name]), True
        else:
            fk = expected.foreign_keys[name]
            body, valid = self.foreign_key_body(fk), fk.valid
        return self.add_constraint(expected.name, name, body, validate=valid)

    def rename_constraint(
        self, expected: Table, actual: Table, old: str, new: str, kind: str
    ) -> str:
        """Give the live constraint ``old`` its baseline name ``new``."""
        return self.alter(actual.name, f"RENAME CONSTRAINT {self.q(old)} TO {self.q(new)}")

    def remove_constraint(self, expected: Table, actual: Table, name: str, kind: str) -> str:
        """Drop the live constraint ``name`` the baseline lacks (``kind`` as drop_constraint).

        When the baseline has another constraint of that name, it is restored instead: a plain
        drop would also drop it again after its own fix ran.
        """
        restore = {
            "check": (expected.checks, self.restore_check),
            "unique": (expected.uniques, self.restore_unique),
            "foreign_key": (expected.foreign_keys, self.restore_foreign_key),
        }
        named, fix = restore[kind]
        if name in named:
            return fix(expected, actual, name)
        return self.drop_constraint(actual.name, name, kind)

    def validate_constraint(self, expected: Table, actual: Table, name: str) -> str:
        return self.alter(actual.name, f"VALIDATE CONSTRAINT {self.q(name)}")

    # --- reading it back ------------------------------------------------------------------
    def split(self, script: str) -> list[str]:
        """The statements of a rendered fix (comments dropped), for a test or a tool to run."""
        import sqlglot
        from sqlglot.tokens import TokenType

        tokens = sqlglot.Dialect.get_or_raise(self.dialect.sqlglot).tokenize(script)
        out, start = [], None
        for token in tokens:
            if token.token_type == TokenType.SEMICOLON:
                if start is not None:
                    out.append(script[start : token.start].strip())
                start = None
            elif start is None:
                start = token.start
        if start is not None:
            out.append(script[start:].strip())
        return [s for s in out if s]
