"""Reconciliation rules, on a ledger and a lookup table (the live-system path is in test_run)."""

from __future__ import annotations

from driftline.stress.reconcile import reconcile
from driftline.stress.stages import LedgerEntry


def entry(tid, stage="followup", outcome="closed", reason=""):
    return LedgerEntry(tid, 1.0, stage, outcome, reason, "w1")


SERVER = {
    "1": {"status_code": "CLOSED", "reopen_count": 0},
    "2": {"status_code": "REOPENED", "reopen_count": 1},
    "3": {"status_code": "NEW", "reopen_count": 0},
    "4": {"status_code": "ASSIGNED", "reopen_count": 0},
    "5": {"status_code": "IN_PROGRESS", "reopen_count": 0},
}


def lookup(tid):
    if tid == "boom":
        raise ConnectionError("refused")
    return (200, SERVER[tid]) if tid in SERVER else (404, None)


def test_every_outcome_accounted_for():
    ledger = {
        "1": entry("1"),
        "2": entry("2", "reopen", "reopened"),
        "3": entry("3", "dispatch", "failed", "dispatch: not dispatched"),
        "4": entry("4", "alert", "in_flight"),
    }
    result = reconcile(ledger, lookup)
    assert result.ok
    assert (result.created, result.accounted) == (4, 4)
    assert result.by_outcome == {
        "closed": 1,
        "reopened": 1,
        "failed:dispatch": 1,
        "in_flight:alert": 1,
    }


def test_missing_contradicting_and_unreachable_tickets_are_unaccounted():
    ledger = {
        "1": entry("1"),
        "5": entry("5"),  # the run closed it; the server says IN_PROGRESS
        "404": entry("404", "create", "in_flight"),
        "boom": entry("boom"),
        "3": entry("3", "dispatch", "failed", ""),  # failed without a reason
    }
    result = reconcile(ledger, lookup)
    assert not result.ok
    reasons = {u["ticket_id"]: u["reason"] for u in result.unaccounted}
    assert reasons == {
        "5": "the run closed it but the server says status_code = IN_PROGRESS",
        "404": "not found on the server",
        "boom": "lookup failed: ConnectionError: refused",
        "3": "failed without a reason",
    }
    assert (result.created, result.accounted) == (5, 1)
    assert [u["ticket_id"] for u in result.to_dict()["unaccounted"]] == ["3", "5", "404", "boom"]


def test_server_side_ticket_unknown_to_the_ledger_is_unaccounted():
    result = reconcile({"1": entry("1")}, lookup, server_ids=["1", "4"])
    assert result.server_side_checked
    assert result.unaccounted == [
        {"ticket_id": "4", "reason": "on the server with the run's tag, not in the ledger"}
    ]
    assert result.created == 2
