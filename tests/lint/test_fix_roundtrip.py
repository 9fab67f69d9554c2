"""The fix lint prints for a dropped or changed critical index, executed on each real server.

The baseline is the live schema as driftline's own inspector reads it; after the migration has
run, pasting the printed fix (statement by statement, autocommit) must bring back the index the
baseline defines — sort order, uniqueness and predicate included.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from driftline.lint import lint_text
from driftline.schema.baseline import Baseline
from driftline.schema.inspect import inspect

TABLE = (
    "CREATE TABLE ticket_status_log (id integer PRIMARY KEY, ticket_id integer, "
    "status_code varchar(16) NOT NULL, changed_at timestamp NULL)"
)
#: per dialect: the critical index (a partial one where the server has them) and how to drop it
SETUP = {
    "sqlite": (
        "CREATE INDEX ix_status_changed ON ticket_status_log (status_code, changed_at DESC) "
        "WHERE status_code <> 'DONE'",
        "DROP INDEX ix_status_changed",
    ),
    "postgresql": (
        "CREATE INDEX ix_status_changed ON ticket_status_log (status_code, changed_at DESC) "
        "WHERE status_code <> 'DONE'",
        "DROP INDEX ix_status_changed",
    ),
    "mysql": (
        "CREATE INDEX ix_status_changed ON ticket_status_log (status_code, changed_at DESC)",
        "ALTER TABLE ticket_status_log DROP INDEX ix_status_changed",
    ),
}


def _index(url: str):  # type: ignore[no-untyped-def]
    schema = inspect(url)
    [table] = [t for name, t in schema.tables.items() if name.endswith("ticket_status_log")]
    return schema, table.indexes.get("ix_status_changed")


def _run(engine: sa.Engine, script: str) -> None:
    with engine.connect() as conn:
        for statement in script.split(";\n"):
            if statement.strip():
                conn.exec_driver_sql(statement.strip().rstrip(";"))


@pytest.mark.parametrize("change", ["drop", "recreate-other-columns"])
def test_printed_fix_restores_the_critical_index(any_db_url, change):
    engine = sa.create_engine(any_db_url, isolation_level="AUTOCOMMIT")
    try:
        dialect = engine.dialect.name.replace("mariadb", "mysql")
        create, drop = SETUP[dialect]
        _run(engine, f"{TABLE};\n{create}")
        schema, original = _index(any_db_url)
        assert original is not None
        baseline = Baseline(schema, critical_indexes={"ticket_status_log.ix_status_changed"})
        migration = drop + ";\n"
        if change != "drop":
            migration += "CREATE INDEX ix_status_changed ON ticket_status_log (ticket_id);\n"
        findings = lint_text(migration, "m.sql", baseline=baseline, dialect=dialect)
        kind = "lint.drop_critical_index" if change == "drop" else "lint.critical_index_changed"
        [finding] = [f for f in findings if f.kind == kind]
        _run(engine, migration)
        assert _index(any_db_url)[1] != original
        _run(engine, finding.fix)
        assert _index(any_db_url)[1] == original
    finally:
        engine.dispose()
