"""Reconciliation through the system's own database (works when the system under test died),
"target down" when it stopped answering and there is no database, and creates whose answer was
lost when the run stopped."""

from __future__ import annotations

import json
import sqlite3

from driftline.stress.generator import GeneratorHealth
from driftline.stress.reconcile import IN_FLIGHT_AT_STOP, db_lookup, db_rows, reconcile
from driftline.stress.result import run_findings
from driftline.stress.stages import LedgerEntry
from driftline.stress.system_run import reconcile_run
from driftline.systems import credentials, load_system

REFSYS = load_system("refsys")
TAG = "20261206T090000Z-abc123"
DEAD = "http://127.0.0.1:9"


def _ticket_db(path, rows):
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE ticket (id INTEGER PRIMARY KEY, title TEXT, status_code TEXT, "
        "reopen_count INTEGER, created_at TEXT, first_response_at TEXT, resolved_at TEXT)"
    )
    conn.executemany(
        "INSERT INTO ticket (id, title, status_code, reopen_count) VALUES (?, ?, ?, ?)", rows
    )
    conn.commit()
    conn.close()
    return f"sqlite:///{path}"


def _ledger(run_dir, entries, create_failures=None):
    doc = {
        "driftline": 1,
        "kind": "stress-ledger",
        "tickets": [e.to_dict() for e in entries],
        "create_failures": create_failures or {},
    }
    (run_dir / "ledger.json").write_text(json.dumps(doc), encoding="utf-8")


ENTRIES = [
    LedgerEntry("1", 1.0, "followup", "closed"),
    LedgerEntry("2", 1.0, "reopen", "reopened"),
    LedgerEntry("3", 1.0, "dispatch", "in_flight"),
]
ROWS = [
    (1, f"[dl-{TAG}] parcel late", "CLOSED", 0),
    (2, f"[dl-{TAG}] wifi down", "REOPENED", 1),
    (3, f"[dl-{TAG}] app crashes", "NEW", 0),
    (4, "[dl-other-run] not ours", "NEW", 0),
]


def test_database_reconciles_while_the_target_is_down(tmp_path):
    db = _ticket_db(tmp_path / "t.db", ROWS)
    _ledger(tmp_path, ENTRIES)
    recon = reconcile_run(tmp_path, REFSYS, DEAD, db, TAG, credentials.Credentials())
    assert recon.source == "database" and not recon.target_down
    assert recon.ok and (recon.created, recon.accounted) == (3, 3)
    assert recon.server_side_checked


def test_database_finds_a_contradiction_and_a_ticket_missing_from_the_ledger(tmp_path):
    rows = [*ROWS, (5, f"[dl-{TAG}] lost answer", "NEW", 0)]
    rows[0] = (1, f"[dl-{TAG}] parcel late", "RESOLVED", 0)
    db = _ticket_db(tmp_path / "t.db", rows)
    found = db_rows(db, REFSYS.database.tagged or "", TAG)
    assert sorted(found) == ["1", "2", "3", "5"]
    ledger = {e.ticket_id: e for e in ENTRIES}
    recon = reconcile(ledger, db_lookup(found), server_ids=found, outcomes=REFSYS.outcomes)
    reasons = {u["ticket_id"]: u["reason"] for u in recon.unaccounted}
    assert reasons == {
        "1": "the run closed it but the server says status_code = RESOLVED",
        "5": "on the server with the run's tag, not in the ledger",
    }
    # the same, when one create was still waiting for its answer as the run stopped
    recon = reconcile(
        ledger,
        db_lookup(found),
        server_ids=found,
        outcomes=REFSYS.outcomes,
        create_failures={IN_FLIGHT_AT_STOP: 1},
    )
    assert [u["ticket_id"] for u in recon.unaccounted] == ["1"]
    assert recon.by_outcome[f"in_flight:create ({IN_FLIGHT_AT_STOP})"] == 1


def test_without_a_database_a_dead_target_is_said_plainly(tmp_path):
    _ledger(tmp_path, ENTRIES)
    recon = reconcile_run(tmp_path, REFSYS, DEAD, None, TAG, credentials.Credentials())
    assert recon.target_down and recon.source == "http"
    assert all(u["reason"].startswith("target down") for u in recon.unaccounted)
    findings = run_findings([], GeneratorHealth(), recon, file=None)
    down = [f for f in findings if f.kind == "stress.target.down"]
    assert down and "target down" in down[0].message and "--db" in (down[0].fix or "")
