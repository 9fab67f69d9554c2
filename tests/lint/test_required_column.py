"""``add-required-column`` says what each real server does with ADD COLUMN … NOT NULL and no
DEFAULT on a table that has a row: PostgreSQL and SQLite refuse it, MariaDB fills in 0."""

from __future__ import annotations

import sqlalchemy as sa

from driftline.lint import lint_text


def test_the_rule_fires_exactly_where_the_server_refuses(any_db_url):
    engine = sa.create_engine(any_db_url, isolation_level="AUTOCOMMIT")
    dialect = engine.dialect.name.replace("mariadb", "mysql")
    statement = "ALTER TABLE ticket ADD COLUMN priority integer NOT NULL"
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("CREATE TABLE ticket (id integer PRIMARY KEY)")
            conn.exec_driver_sql("INSERT INTO ticket (id) VALUES (1)")
            try:
                conn.exec_driver_sql(statement)
                refused = False
            except sa.exc.DBAPIError:
                refused = True
    finally:
        engine.dispose()
    findings = lint_text(statement + ";", "m.sql", dialect=dialect, large_tables=["ticket"])
    assert [f.kind for f in findings] == (["lint.add_required_column"] if refused else [])
    assert refused == (dialect != "mysql")
