"""Stages observed by SQL on the system's own tables: the first row in lower case, read-only,
stopped at the deadline by the server; and inside a real stress run against the reference
system, a stage observed through its database."""

from __future__ import annotations

import sqlite3

import pytest

from driftline.stress.refsys_proc import load_config, running_refsys
from driftline.stress.runner import StressOptions, run_stress
from driftline.systems.dbquery import QueryFailed, SystemDatabase
from driftline.systems.load import load_system


def _tickets(path) -> str:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE Tickets (id INTEGER PRIMARY KEY, Status TEXT)")
    conn.executemany("INSERT INTO Tickets VALUES (?, ?)", [(1, "new"), (2, "open")])
    conn.commit()
    conn.close()
    return f"sqlite:///{path}"


def test_first_row_in_lower_case_and_none_without_rows(tmp_path):
    database = SystemDatabase(_tickets(tmp_path / "t.db"))
    try:
        seen = database.run("SELECT id, Status FROM Tickets WHERE id = :id", {"id": 2}, 5000)
        assert seen.row == {"id": 2, "status": "open"} and seen.ms >= 0
        assert (
            database.run("SELECT Status FROM Tickets WHERE id = :id", {"id": 9}, 5000).row is None
        )
    finally:
        database.dispose()


def test_a_query_stage_cannot_write(tmp_path):
    url = _tickets(tmp_path / "t.db")
    database = SystemDatabase(url)
    try:
        with pytest.raises(QueryFailed) as failed:
            database.run("DELETE FROM Tickets WHERE id = :id", {"id": 1}, 5000)
        assert failed.value.reason == "db_error"
    finally:
        database.dispose()
    conn = sqlite3.connect(tmp_path / "t.db")
    assert conn.execute("SELECT COUNT(*) FROM Tickets").fetchone()[0] == 2
    conn.close()


@pytest.mark.postgres
def test_the_server_stops_a_statement_at_the_deadline(pg_url):
    database = SystemDatabase(pg_url)
    try:
        with pytest.raises(QueryFailed) as failed:
            database.run("SELECT pg_sleep(5), :id AS id", {"id": 1}, 200)
        assert failed.value.reason == "deadline"
        assert failed.value.ms < 4000  # stopped by the server, long before the sleep ends
        timings = database.time("SELECT pg_sleep(5), :id AS id", {"id": 1}, 3, 100)
        assert timings == [] or timings[-1] == 100  # a capped run ends the series
    finally:
        database.dispose()


#: The generic journey against the reference system: create, then dispatch seen in its database.
REFSYS_DB = """\
driftline: 1
kind: system
name: refsys-db
thresholds: thresholds.yaml
health: {path: /healthz}
ticket:
  create:
    method: POST
    path: /tickets
    json: {title: "{title}", description: "{description}", priority: "{priority}",
           source: web_form, region: south, category: general, customer_id: 7}
  get: {path: "/tickets/{id}"}
stages:
  - name: create
    deadline_s: 10
    observe: {kind: response}
  - name: dispatch
    deadline_s: 20
    observe:
      kind: query
      sql: SELECT dispatched_at AS Dispatched FROM ticket WHERE id = :id
      field: Dispatched
outcomes:
  closed: {field: dispatched_at}
database:
  tagged: "SELECT id, dispatched_at FROM ticket WHERE title LIKE :pattern"
"""
THRESHOLDS = """\
driftline: 1
stages:
  create: {max_error_rate: 0.05}
  dispatch: {max_error_rate: 0.05, min_completion: 0.8}
"""


@pytest.mark.slow
def test_a_stage_observed_through_the_reference_systems_database(tmp_path):
    """A real stress run: every dispatch seen by polling the ``ticket`` table, and every ticket
    reconciled through the same database."""
    adapter = tmp_path / "refsys-db.yaml"
    adapter.write_text(REFSYS_DB, encoding="utf-8")
    (tmp_path / "thresholds.yaml").write_text(THRESHOLDS, encoding="utf-8")
    assert load_system(str(adapter)).stage("dispatch").observe == "query"
    db = f"sqlite:///{tmp_path / 'refsys.db'}"
    with running_refsys(db, load_config(None), tmp_path, seed_tickets=0) as refsys:
        result = run_stress(
            StressOptions(
                system=str(adapter),
                target=refsys.url,
                db=db,
                users=3,
                duration_s=8,
                out=tmp_path / "runs",
            )
        )
    dispatch = result.document["stages"]["dispatch"]
    assert dispatch["ok"] > 0 and dispatch["failed"] == 0, dispatch
    assert result.exit_code == 0, [v.message for v in result.verdicts if not v.passed]
    assert result.document["reconcile"]["source"] == "database"
