"""Fix SQL that lint prints, in the target dialect: index DDL comes from the dialect layer
(:mod:`driftline.dialects`), the few ALTERs of lint's own advice are built here."""

from __future__ import annotations

from sqlglot import exp

from driftline.lint.dialect import LintDialect
from driftline.lint.state import State
from driftline.schema.model import Index


def _ddl(dialect: LintDialect):  # type: ignore[no-untyped-def]
    from driftline import dialects

    return dialects.get(dialect.name).ddl


def create_index(state: State, table: str, index: Index) -> str:
    """The CREATE INDEX that restores the baseline's ``index`` on ``table`` (CONCURRENTLY where
    the server has it), rendered by the dialect layer."""
    return _ddl(state.dialect).create_index(*state.as_baseline(table, index))


def recreate_index(state: State, table: str, index: Index) -> str:
    """Drop the index of that name and create it as the baseline defines it."""
    return _ddl(state.dialect).recreate_index(*state.as_baseline(table, index))


def name(dialect: LintDialect, identifier: str) -> str:
    """An identifier as the dialect writes it, quoted only where it must be."""
    return exp.to_identifier(identifier).sql(dialect=dialect.glot)


def set_not_null(dialect: LintDialect, table: str, column: str) -> str:
    """SET NOT NULL without the long scan under ACCESS EXCLUSIVE: a validated CHECK first."""
    t, c, k = name(dialect, table), name(dialect, column), name(dialect, f"{column}_not_null")
    return (
        f"ALTER TABLE {t} ADD CONSTRAINT {k} CHECK ({c} IS NOT NULL) NOT VALID;\n"
        f"ALTER TABLE {t} VALIDATE CONSTRAINT {k};\n"
        f"ALTER TABLE {t} ALTER COLUMN {c} SET NOT NULL;\n"
        f"ALTER TABLE {t} DROP CONSTRAINT {k};"
    )
