"""Ticket rules through the service layer, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from reference_system import schema as s
from reference_system import tickets
from reference_system.dispatcher import Dispatcher
from reference_system.errors import Conflict, Forbidden, Invalid
from tests.refsys.conftest import NEW_TICKET


def _dispatched(engine, config, routing, **overrides):
    ticket = tickets.create_ticket(engine, routing, config, {**NEW_TICKET, **overrides})
    assert Dispatcher(engine, config).run_once() >= 1
    return tickets.get_ticket(engine, ticket["id"])


def test_dispatch_assigns_least_loaded_on_duty_agent_and_a_backup(engine, config, routing):
    first = _dispatched(engine, config, routing)
    second = _dispatched(engine, config, routing)
    assert first["status_code"] == second["status_code"] == "ASSIGNED"
    assert first["assignee_id"] != second["assignee_id"]  # least loaded spreads the work
    assert first["backup_assignee_id"] not in (None, first["assignee_id"])
    assert first["dispatched_at"] >= first["created_at"]


def test_p0_goes_to_the_departments_on_duty_lead(engine, config, routing):
    ticket = _dispatched(engine, config, routing, priority="P0")
    with engine.connect() as conn:
        lead = conn.execute(
            sa.select(s.agent.c.is_lead, s.agent.c.department).where(
                s.agent.c.id == ticket["assignee_id"]
            )
        ).one()
    assert lead.is_lead and lead.department == ticket["department"]


def test_first_response_needs_note_and_next_action(engine, config, routing):
    ticket = _dispatched(engine, config, routing)
    agent = ticket["assignee_id"]
    tickets.get_ticket(engine, ticket["id"])  # viewing is not responding
    after_note = tickets.add_action(engine, ticket["id"], agent, "looking into it", None)
    assert after_note["first_response_at"] is None
    both = tickets.add_action(engine, ticket["id"], agent, "called courier", "redeliver at 5pm")
    assert both["first_response_at"] is not None and both["status_code"] == "IN_PROGRESS"


def _resolved(engine, config, routing, **overrides):
    ticket = _dispatched(engine, config, routing, **overrides)
    tickets.add_action(engine, ticket["id"], ticket["assignee_id"], "note", "next")
    return tickets.resolve(engine, ticket["id"], ticket["assignee_id"], "redelivered")


def test_double_sign_off_and_rating_needs_reason(engine, config, routing):
    ticket = _resolved(engine, config, routing)
    with pytest.raises(Forbidden, match="does not own"):
        tickets.confirm(engine, ticket["id"], customer_id=999)
    closed = tickets.confirm(engine, ticket["id"], NEW_TICKET["customer_id"])
    assert closed["status_code"] == "CLOSED" and closed["closed_at"]
    with pytest.raises(Invalid, match="needs a reason"):
        tickets.rate(engine, ticket["id"], NEW_TICKET["customer_id"], 4, "")
    assert tickets.rate(engine, ticket["id"], NEW_TICKET["customer_id"], 4, "quick")["rating"] == 4


def test_reopen_within_window_becomes_p1_and_is_dispatched_again(engine, config, routing):
    ticket = _resolved(engine, config, routing, priority="P3")
    reopened = tickets.reopen(engine, config, ticket["id"], NEW_TICKET["customer_id"], "again")
    assert (reopened["status_code"], reopened["priority"]) == ("REOPENED", "P1")
    assert reopened["reopen_count"] == 1
    assert Dispatcher(engine, config).run_once() == 1
    assert tickets.get_ticket(engine, ticket["id"])["status_code"] == "ASSIGNED"


def test_reopen_after_window_is_refused(engine, config, routing):
    ticket = _resolved(engine, config, routing)
    long_ago = datetime.fromisoformat(ticket["resolved_at"].rstrip("Z")) - timedelta(days=2)
    with engine.begin() as conn:
        conn.execute(
            sa.update(s.ticket).where(s.ticket.c.id == ticket["id"]).values(resolved_at=long_ago)
        )
    with pytest.raises(Conflict, match="resolved more than 86400 s ago"):
        tickets.reopen(engine, config, ticket["id"], NEW_TICKET["customer_id"], "again")


def test_same_customer_and_category_within_72h_is_a_recurrence(engine, config, routing):
    first = tickets.create_ticket(engine, routing, config, NEW_TICKET)
    second = tickets.create_ticket(engine, routing, config, NEW_TICKET)
    other = tickets.create_ticket(engine, routing, config, {**NEW_TICKET, "category": "billing"})
    stranger = tickets.create_ticket(engine, routing, config, {**NEW_TICKET, "customer_id": 8})
    assert first["recurrence_of"] is None
    assert second["recurrence_of"] == first["id"]
    assert other["recurrence_of"] is None and stranger["recurrence_of"] is None


def test_manual_assignment_works_with_the_dispatcher_off(engine, config, routing):
    off = config.with_overrides({"dispatch": {"enabled": False}})
    ticket = tickets.create_ticket(engine, routing, off, NEW_TICKET)
    assigned = tickets.assign(engine, ticket["id"], agent_id=1, actor="supervisor")
    assert (assigned["status_code"], assigned["assignee_id"]) == ("ASSIGNED", 1)
    assert assigned["dispatched_at"] is None  # automatic dispatch never happened
    steps = [r["status_code"] for r in tickets.timeline(engine, ticket["id"])]
    assert steps == ["NEW", "ASSIGNED"]
