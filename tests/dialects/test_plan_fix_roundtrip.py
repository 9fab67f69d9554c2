"""Plan check's restore of a lost index runs on the real server and brings the plan back.

The index is a partial one with a descending key where the dialect has them: the restore must
keep both (a restore from the bare column list would not be used by the query again).
"""

from __future__ import annotations

import pytest

from driftline import dialects
from driftline.plans.capture import capture
from driftline.plans.check import check
from driftline.plans.queries import Query
from driftline.scratch import scratch_database
from tests.conftest import require_server
from tests.dialects.roundtrip import execute

ROWS = 3000
#: dialect → (index DDL, the query that uses it)
CASES = {
    "postgresql": (
        "CREATE INDEX ix_partial ON job (prio DESC NULLS LAST) WHERE state = 'NEW'",
        "SELECT id FROM job WHERE state = 'NEW' ORDER BY prio DESC NULLS LAST LIMIT 5",
    ),
    "sqlite": (
        "CREATE INDEX ix_partial ON job (prio DESC) WHERE state = 'NEW'",
        "SELECT id FROM job WHERE state = 'NEW' ORDER BY prio DESC LIMIT 5",
    ),
    "mysql": (
        "CREATE INDEX ix_partial ON job (state, prio DESC)",
        "SELECT id FROM job WHERE state = 'NEW' ORDER BY prio DESC LIMIT 5",
    ),
}


def _setup(url: str, index_sql: str) -> None:
    values = ", ".join(
        f"({i}, '{'NEW' if i % 100 == 0 else 'DONE'}', {i % 37})" for i in range(1, ROWS + 1)
    )
    execute(
        url,
        [
            "CREATE TABLE job (id INTEGER PRIMARY KEY, state VARCHAR(8) NOT NULL, prio INTEGER)",
            f"INSERT INTO job (id, state, prio) VALUES {values}",
            index_sql,
            "ANALYZE job" if not url.startswith("mysql") else "ANALYZE TABLE job",
        ],
    )


@pytest.mark.parametrize("dialect", ["postgresql", "mysql", "sqlite"])
def test_restore_of_a_lost_index_runs_and_the_plan_uses_it_again(dialect, tmp_path):
    index_sql, sql = CASES[dialect]
    server = "sqlite" if dialect == "sqlite" else require_server(dialect)
    with scratch_database(server, prefix="dl_planfix", directory=tmp_path) as url:
        _setup(url, index_sql)
        baseline = tmp_path / "plans.yaml"
        query = Query("next_jobs", sql, critical_tables=("job",), min_rows=100)
        captured = capture(url, [query])
        assert "ix_partial" in captured.queries["next_jobs"].plans[0].index_names()
        captured.save(baseline)
        d = dialects.of(url)
        execute(url, d.ddl.split(d.ddl.drop_index("job", "ix_partial")))
        result = check(url, baseline, ci=True)
        [missing] = [f for f in result.findings if f.kind == "plan.index_missing"]
        execute(url, d.ddl.split(missing.fix or ""))
        after = check(url, baseline, ci=True)
    assert [f for f in after.findings if f.severity.label == "error"] == []
    assert "ix_partial" in after.current.queries["next_jobs"].plans[0].index_names()
    if dialect == "postgresql":
        assert missing.fix == (
            'CREATE INDEX CONCURRENTLY "ix_partial" ON "job" ("prio" DESC NULLS LAST) '
            "WHERE \"state\" = 'NEW';"
        )
