"""The SQL that repairs a finding, in the target dialect. Printed, never applied."""

from __future__ import annotations

from driftline.schema.model import Column, ForeignKey, Index

_QUOTE = {"postgresql": '"', "sqlite": '"', "mysql": "`"}


def q(name: str, dialect: str) -> str:
    """Quote an identifier (each dotted part) for ``dialect``."""
    mark = _QUOTE[dialect]
    return ".".join(f"{mark}{part.replace(mark, mark * 2)}{mark}" for part in name.split("."))


def _key(key: str, dialect: str, option: str = "") -> str:
    head, _, order = key.partition(" ")
    option = f" {option}" if option else ""
    if head.replace("_", "").isalnum():
        return q(head, dialect) + option + (f" {order.upper()}" if order else "")
    if option:  # an expression key: the order, if any, is already at its end
        for suffix in (" desc nulls last", " desc", " nulls first"):
            if key.endswith(suffix):
                body = key[: -len(suffix)]
                body = body if body.startswith("(") else f"({body})"
                return f"{body}{option}{suffix.upper()}"
    return f"({key}){option}" if not key.startswith("(") else key + option


def create_index_sql(table: str, index: Index, dialect: str) -> str:
    unique = "UNIQUE " if index.unique else ""
    concurrently = "CONCURRENTLY " if dialect == "postgresql" else ""
    using = f" USING {index.method}" if index.method and dialect != "sqlite" else ""
    options = index.key_options or ("",) * len(index.columns)
    keys = ", ".join(_key(k, dialect, o) for k, o in zip(index.columns, options, strict=False))
    name, target = q(index.name, dialect), q(table, dialect)
    sql = f"CREATE {unique}INDEX {concurrently}{name} ON {target}{using} ({keys})"
    if index.include:
        sql += f" INCLUDE ({', '.join(q(c, dialect) for c in index.include)})"
    if index.where:
        sql += f" WHERE {index.where}"
    return sql + ";"


def drop_index_sql(table: str, name: str, dialect: str) -> str:
    if dialect == "mysql":
        return f"DROP INDEX {q(name, dialect)} ON {q(table, dialect)};"
    schema = table.rsplit(".", 1)[0] + "." if "." in table and dialect == "postgresql" else ""
    return f"DROP INDEX {q(schema + name, dialect)};"


def add_column_sql(table: str, column: Column, dialect: str) -> str:
    null = "" if column.nullable else " NOT NULL"
    default = f" DEFAULT {column.default}" if column.default is not None else ""
    col = q(column.name, dialect)
    return f"ALTER TABLE {q(table, dialect)} ADD COLUMN {col} {column.type}{default}{null};"


def alter_type_sql(table: str, column: Column, dialect: str) -> str:
    if dialect == "mysql":
        null = "" if column.nullable else " NOT NULL"
        return (
            f"ALTER TABLE {q(table, dialect)} MODIFY {q(column.name, dialect)} {column.type}{null};"
        )
    if dialect == "sqlite":
        return f"-- SQLite cannot change a column type in place: rebuild {table} ({column.name})"
    col = q(column.name, dialect)
    return f"ALTER TABLE {q(table, dialect)} ALTER COLUMN {col} TYPE {column.type};"


def nullability_sql(table: str, column: Column, dialect: str) -> str:
    if dialect == "postgresql":
        verb = "DROP NOT NULL" if column.nullable else "SET NOT NULL"
        return f"ALTER TABLE {q(table, dialect)} ALTER COLUMN {q(column.name, dialect)} {verb};"
    return alter_type_sql(table, column, dialect)


def add_foreign_key_sql(table: str, fk: ForeignKey, dialect: str) -> str:
    cols = ", ".join(q(c, dialect) for c in fk.columns)
    refs = ", ".join(q(c, dialect) for c in fk.ref_columns)
    return (
        f"ALTER TABLE {q(table, dialect)} ADD CONSTRAINT {q(fk.name, dialect)} "
        f"FOREIGN KEY ({cols}) REFERENCES {q(fk.ref_table, dialect)} ({refs});"
    )


def create_table_hint(table: str, dialect: str) -> str:
    return (
        f"-- recreate {q(table, dialect)} from its migration (driftline baselines keep its columns)"
    )
