"""Dispatcher and sweeper under concurrency, on real SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
import sqlalchemy as sa

from reference_system import schema as s
from reference_system import tickets
from reference_system.dispatcher import Dispatcher
from reference_system.sweeper import Sweeper
from tests.refsys.conftest import NEW_TICKET


def _create_many(engine, config, routing, n):
    return [
        tickets.create_ticket(
            engine, routing, config, {**NEW_TICKET, "customer_id": 100 + i, "priority": "P2"}
        )["id"]
        for i in range(n)
    ]


def _race(workers, rounds):
    """Run the workers at once, each until it has had ``rounds`` cycles with nothing to do."""
    barrier = threading.Barrier(len(workers))
    errors = []

    def loop(worker):
        try:
            barrier.wait()
            idle = 0
            while idle < rounds:
                idle = idle + 1 if worker.run_once() == 0 else 0
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=loop, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def _assert_dispatched_once(engine, ids):
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(s.ticket_status_log.c.ticket_id).where(
                s.ticket_status_log.c.status_code == "ASSIGNED",
                s.ticket_status_log.c.ticket_id.in_(ids),
            )
        ).all()
        statuses = set(
            conn.execute(sa.select(s.ticket.c.status_code).where(s.ticket.c.id.in_(ids))).scalars()
        )
    counts = Counter(r.ticket_id for r in rows)
    assert set(counts) == set(ids), "every ticket dispatched"
    assert max(counts.values()) == 1, "no ticket dispatched twice"
    assert statuses == {"ASSIGNED"}


@pytest.mark.parametrize("db", ["sqlite_engine", "pg_engine", "mysql_engine"])
def test_two_dispatchers_never_double_assign(request, db, config, routing):
    engine = request.getfixturevalue(db)
    small_batches = config.with_overrides({"dispatch": {"batch_size": 7}})
    ids = _create_many(engine, config, routing, 120)
    _race([Dispatcher(engine, small_batches, f"dispatcher-{i}") for i in (1, 2)], rounds=3)
    _assert_dispatched_once(engine, ids)


@pytest.mark.parametrize("db", ["sqlite_engine", "pg_engine"])
def test_alerts_fire_exactly_once_per_ticket_kind_and_level(request, db, config, routing):
    engine = request.getfixturevalue(db)
    ids = _create_many(engine, config, routing, 20)
    Dispatcher(engine, config).run_once()
    time.sleep(4.2)  # past twice the 1 s first-response and 2 s resolution windows
    _race([Sweeper(engine, config, f"sweeper-{i}") for i in (1, 2)], rounds=3)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(s.sla_alert.c.ticket_id, s.sla_alert.c.kind, s.sla_alert.c.level)
        ).all()
    counts = Counter(tuple(r) for r in rows)
    assert max(counts.values()) == 1
    for ticket_id in ids:
        kinds = {(k, lv) for (t, k, lv) in counts if t == ticket_id}
        assert kinds == {
            ("first_response", 1),
            ("first_response", 2),
            ("resolution", 1),
            ("resolution", 2),
            ("escalation", 1),
        }


def test_alert_lateness_is_measurable(sqlite_engine, config, routing):
    [ticket_id] = _create_many(sqlite_engine, config, routing, 1)
    time.sleep(1.1)
    Sweeper(sqlite_engine, config).run_once()
    [alert] = [a for a in tickets.alerts(sqlite_engine, ticket_id) if a["kind"] == "first_response"]
    assert alert["fired_at"] >= alert["due_at"]


def test_responded_tickets_get_no_first_response_alert(sqlite_engine, config, routing):
    [ticket_id] = _create_many(sqlite_engine, config, routing, 1)
    Dispatcher(sqlite_engine, config).run_once()
    agent = tickets.get_ticket(sqlite_engine, ticket_id)["assignee_id"]
    tickets.add_action(sqlite_engine, ticket_id, agent, "on it", "call back")
    time.sleep(1.1)
    Sweeper(sqlite_engine, config).run_once()
    assert [a["kind"] for a in tickets.alerts(sqlite_engine, ticket_id)] == []
