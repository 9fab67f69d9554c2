"""Each drill end to end: the fault is caught by the detectors named, and the restore is green.

Short phases (10 s, 12 users) and a small volume keep this within CI's budget; the full-size
figures come from ``driftline drill`` and ``driftline demo``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from driftline.cli import run
from driftline.drills import DrillOptions, run_drill
from tests.conftest import require_server

THRESHOLDS = Path(__file__).with_name("thresholds.yaml")
FAST = {"users": 12, "duration_s": 12.0, "dispatch_deadline_s": 6.0, "thresholds": THRESHOLDS}


def _fired(phase):
    return {d.detector for d in phase.detections if d.fired}


@pytest.mark.parametrize(
    ("drill", "must_fire"),
    [
        (
            "index-drop",
            {"stress thresholds", "queue watchdog", "schema check", "plan check", "lint"},
        ),
        ("query-timeout", {"stress thresholds", "queue watchdog"}),
        ("dispatcher-down", {"stress thresholds", "queue watchdog"}),
        ("empty-roster", {"roster coverage"}),
    ],
)
def test_sqlite_drill_is_caught_and_recovers(drill_sqlite_url, tmp_path, drill, must_fire):
    result = run_drill(drill, DrillOptions(db=drill_sqlite_url, out=tmp_path, **FAST))
    assert must_fire <= _fired(result.fault), result.to_dict()
    assert _fired(result.recovery) == set(), result.to_dict()
    assert result.exit_code == 0
    for d in result.fault.detections:
        if d.fired:
            assert d.after_s is not None and 0 <= d.after_s < 120
    saved = json.loads((result.directory / "drill.json").read_text())
    assert saved["caught"] and saved["recovered"] and saved["drill"] == drill
    run_json = json.loads((result.fault.run.run_dir / "run.json").read_text())
    if "stress thresholds" in must_fire:
        assert run_json["verdict"] == "fail"


def test_index_drop_in_skip_mode_raises_no_alert_of_its_own(drill_sqlite_url, tmp_path):
    """The incident: the system itself says nothing; only driftline's detectors see it."""
    options = DrillOptions(db=drill_sqlite_url, out=tmp_path, on_query_timeout="skip", **FAST)
    result = run_drill("index-drop", options)
    assert "dispatcher alerts" not in _fired(result.fault)
    assert "stress thresholds" in _fired(result.fault)


def test_index_drop_on_postgresql_in_alert_mode(drill_pg_url, tmp_path):
    result = run_drill(
        "index-drop",
        DrillOptions(db=drill_pg_url, out=tmp_path, on_query_timeout="alert", **FAST),
    )
    expected = {
        "stress thresholds",
        "queue watchdog",
        "dispatcher alerts",
        "schema check",
        "plan check",
    }
    assert expected <= _fired(result.fault), result.to_dict()
    assert _fired(result.recovery) == set(), result.to_dict()


def _started_at(url: str):
    from driftline.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql("SELECT pg_postmaster_start_time()").scalar()
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def private_pg():
    """A private cluster: the db-restart drill restarts it, never the shared server."""
    from driftline.pgcluster import PgCluster

    with PgCluster() as cluster:
        yield cluster


def test_db_restart_restarts_only_the_private_cluster_and_loses_no_ticket(private_pg, tmp_path):
    shared = require_server("postgresql")
    shared_started, private_started = _started_at(shared), _started_at(private_pg.url())
    options = DrillOptions(
        db=private_pg.url(), out=tmp_path, pg_data_dir=private_pg.data_dir, tickets=20_000, **FAST
    )
    result = run_drill("db-restart", options)
    reconcile = result.fault.run.document["reconcile"]
    assert reconcile["unaccounted"] == [] and reconcile["created"] > 0
    assert _fired(result.recovery) == set()
    assert _started_at(private_pg.url()) > private_started  # it really restarted
    assert _started_at(shared) == shared_started


def test_db_restart_refuses_a_data_dir_of_another_port(private_pg, tmp_path, capsys):
    shared = require_server("postgresql")
    started = _started_at(private_pg.url())
    argv = ["drill", "db-restart", "--db", shared, "--out", str(tmp_path)]
    assert run([*argv, "--pg-data-dir", str(private_pg.data_dir)]) == 2
    err = capsys.readouterr().err
    shared_port = sa.engine.make_url(shared).port or 5432
    assert f"serves port {private_pg.port}, but --db is on port {shared_port}" in err
    assert len(err.strip().splitlines()) == 1
    assert run(argv) == 2
    assert "db-restart needs --pg-data-dir" in capsys.readouterr().err
    assert run([*argv, "--pg-data-dir", str(tmp_path)]) == 2
    assert "no server is running on this data directory" in capsys.readouterr().err
    assert _started_at(private_pg.url()) == started


def test_db_restart_needs_postgresql(tmp_path, capsys):
    assert run(["drill", "db-restart", "--out", str(tmp_path)]) == 2
    assert "db-restart runs on postgresql, not sqlite" in capsys.readouterr().err


def test_unknown_drill_suggests(tmp_path, capsys):
    assert run(["drill", "index-dorp", "--out", str(tmp_path)]) == 2
    assert "did you mean 'index-drop'" in capsys.readouterr().err
