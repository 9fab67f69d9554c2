"""Each drill end to end: the fault is caught by the detectors named, and the restore is green.

Short phases (10 s, 12 users) and a small volume keep this within CI's budget; the full-size
figures come from ``driftline drill`` and ``driftline demo``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from driftline.cli import run
from driftline.drills import DrillOptions, run_drill

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
    assert expected <= _fired(result.fault)
    assert _fired(result.recovery) == set()


def test_db_restart_on_postgresql_loses_no_ticket(drill_pg_url, tmp_path):
    result = run_drill("db-restart", DrillOptions(db=drill_pg_url, out=tmp_path, **FAST))
    reconcile = result.fault.run.document["reconcile"]
    assert reconcile["unaccounted"] == [] and reconcile["created"] > 0
    assert _fired(result.recovery) == set()


def test_db_restart_needs_postgresql(tmp_path, capsys):
    assert run(["drill", "db-restart", "--out", str(tmp_path)]) == 2
    assert "db-restart runs on postgresql, not sqlite" in capsys.readouterr().err


def test_unknown_drill_suggests(tmp_path, capsys):
    assert run(["drill", "index-dorp", "--out", str(tmp_path)]) == 2
    assert "did you mean 'index-drop'" in capsys.readouterr().err
