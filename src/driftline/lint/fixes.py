"""Fix SQL that lint prints: rendered through sqlglot in the target dialect, identifiers quoted."""

from __future__ import annotations

from sqlglot import exp

from driftline.lint.dialect import LintDialect
from driftline.lint.state import key_column
from driftline.schema.model import Index


def create_index(dialect: LintDialect, table: str, index: Index) -> str:
    """The CREATE INDEX that restores ``index`` on ``table`` (CONCURRENTLY where it exists)."""
    keys = []
    for key in index.columns:
        column = key_column(key)
        desc = key.lower().rstrip().endswith(" desc") or " desc " in key.lower()
        node: exp.Expression = (
            exp.column(column, quoted=True)
            if column
            else exp.maybe_parse(key.rsplit(" desc", 1)[0], dialect="postgres")
        )
        # the server's default NULLS placement, so none is spelt out
        nulls_first = desc if dialect.online_ddl else not desc
        keys.append(exp.Ordered(this=node, desc=desc or None, nulls_first=nulls_first))
    where = (
        exp.Where(this=exp.maybe_parse(index.where, dialect="postgres")) if index.where else None
    )
    params = exp.IndexParameters(
        columns=keys,
        where=where,
        using=exp.var(index.method) if index.method and dialect.online_ddl else None,
    )
    create = exp.Create(
        this=exp.Index(
            this=exp.to_identifier(index.name, quoted=True),
            table=exp.Table(this=exp.to_identifier(table, quoted=True)),
            params=params,
        ),
        kind="INDEX",
        unique=index.unique or None,
        concurrently=dialect.online_ddl or None,
    )
    return create.sql(dialect=dialect.glot) + ";"


def name(dialect: LintDialect, identifier: str) -> str:
    """An identifier as the dialect writes it, quoted only where it must be."""
    return exp.to_identifier(identifier).sql(dialect=dialect.glot)


def drop_index(dialect: LintDialect, table: str, index: str) -> str:
    drop = exp.Drop(
        kind="INDEX",
        tables=[exp.Table(this=exp.to_identifier(index, quoted=True))],
        concurrently=dialect.online_ddl or None,
        cluster=exp.OnProperty(this=exp.Table(this=exp.to_identifier(table, quoted=True)))
        if dialect.index_names_per_table
        else None,
    )
    return drop.sql(dialect=dialect.glot) + ";"


def recreate_index(dialect: LintDialect, table: str, index: Index) -> str:
    return drop_index(dialect, table, index.name) + "\n" + create_index(dialect, table, index)


def set_not_null(dialect: LintDialect, table: str, column: str) -> str:
    """SET NOT NULL without the long scan under ACCESS EXCLUSIVE: a validated CHECK first."""
    t, c, k = name(dialect, table), name(dialect, column), name(dialect, f"{column}_not_null")
    return (
        f"ALTER TABLE {t} ADD CONSTRAINT {k} CHECK ({c} IS NOT NULL) NOT VALID;\n"
        f"ALTER TABLE {t} VALIDATE CONSTRAINT {k};\n"
        f"ALTER TABLE {t} ALTER COLUMN {c} SET NOT NULL;\n"
        f"ALTER TABLE {t} DROP CONSTRAINT {k};"
    )
