"""Lint's table-rewrite predictions against a real PostgreSQL: the table's file node tells.

Each case builds a table holding a few rows, runs one ALTER and compares
``pg_relation_filenode`` before and after: a new file node is a rewrite. Lint, given the table's
column in its baseline, must predict exactly that.
"""

from __future__ import annotations

import sqlalchemy as sa

from driftline.lint import lint_text
from driftline.schema.baseline import Baseline
from driftline.schema.model import Column, Schema, Table

#: (column type, its value, the ALTER's action on column c)
CASES = [
    ("varchar(16)", "'ab'", "ALTER COLUMN c TYPE varchar(64)"),
    ("varchar(16)", "'ab'", "ALTER COLUMN c TYPE varchar(8)"),
    ("varchar(16)", "'ab'", "ALTER COLUMN c TYPE text"),
    ("varchar(16)", "'ab'", "ALTER COLUMN c TYPE varchar"),
    ("text", "'ab'", "ALTER COLUMN c TYPE varchar(10)"),
    ("text", "'ab'", "ALTER COLUMN c TYPE varchar"),
    ("numeric(10,2)", "1.5", "ALTER COLUMN c TYPE numeric(12,2)"),
    ("numeric(10,2)", "1.5", "ALTER COLUMN c TYPE numeric(12,4)"),
    ("numeric(10,2)", "1.5", "ALTER COLUMN c TYPE numeric"),
    ("integer", "1", "ALTER COLUMN c TYPE bigint"),
    ("integer", "1", "ALTER COLUMN c TYPE int4"),
    ("double precision", "1", "ALTER COLUMN c TYPE float8"),
    ("bigint", "1", "ALTER COLUMN c TYPE integer"),
    ("varchar(20)", "'1'", "ALTER COLUMN c TYPE integer USING c::integer"),
    ("cidr", "'10.0.0.0/8'", "ALTER COLUMN c TYPE inet"),
    ("varbit(5)", "B'101'", "ALTER COLUMN c TYPE varbit(10)"),
    ("char(5)", "'ab'", "ALTER COLUMN c TYPE char(10)"),
    ("integer", "1", "ADD COLUMN d integer DEFAULT 0"),
    ("integer", "1", "ADD COLUMN d timestamptz DEFAULT now()"),
    ("integer", "1", "ADD COLUMN d uuid DEFAULT gen_random_uuid()"),
    ("integer", "1", "ADD COLUMN d double precision DEFAULT random()"),
    ("integer", "1", "ADD COLUMN d timestamptz DEFAULT clock_timestamp()"),
    ("integer", "1", "ADD COLUMN d serial"),
    ("integer", "1", "ADD COLUMN d integer GENERATED ALWAYS AS (c * 2) STORED"),
    ("integer", "1", "ADD COLUMN d integer GENERATED ALWAYS AS IDENTITY"),
    ("integer", "1", "ADD COLUMN d text"),
]
_REWRITE_KINDS = {"lint.table_rewrite", "lint.stored_generated_column"}


def _predicts_rewrite(column_type: str, action: str) -> bool:
    table = Table("public.t", {"c": Column("c", column_type)}, ("id",))
    baseline = Baseline(Schema("postgresql", "15", {"public.t": table}), path="b.yaml")
    findings = lint_text(f"ALTER TABLE t {action};", "m.sql", baseline=baseline)
    return any(f.kind in _REWRITE_KINDS and "rewrite" in f.message for f in findings)


def test_rewrite_predictions_match_the_servers_file_node(pg_url):
    engine = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    wrong = []
    try:
        with engine.connect() as conn:
            for column_type, value, action in CASES:
                conn.exec_driver_sql("DROP TABLE IF EXISTS t")
                conn.exec_driver_sql(f"CREATE TABLE t (id serial PRIMARY KEY, c {column_type})")
                conn.exec_driver_sql(f"INSERT INTO t (c) SELECT {value} FROM generate_series(1, 3)")
                node = "SELECT pg_relation_filenode('t')"
                before = conn.exec_driver_sql(node).scalar()
                conn.exec_driver_sql(f"ALTER TABLE t {action}")
                rewrote = conn.exec_driver_sql(node).scalar() != before
                if rewrote != _predicts_rewrite(column_type, action):
                    wrong.append((column_type, action, f"server rewrote: {rewrote}"))
    finally:
        engine.dispose()
    assert wrong == []
    assert len(CASES) == 26
