"""The incident: the status index dropped on seeded data, the pickup query past its deadline.

``alert`` mode records a dispatch_degraded alert and shows it on the dispatcher's health; ``skip``
mode swallows the timeout as an empty queue — new tickets are never dispatched and nothing says so.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from reference_system import schema as s
from reference_system import tickets
from reference_system.dispatcher import Dispatcher
from reference_system.seed import seed
from tests.refsys.conftest import NEW_TICKET

#: Seeded volume and deadline: the indexed pickup takes well under a millisecond here, the full
#: scan of ~300k status rows tens of milliseconds, so the deadline sits between with a wide margin.
TICKETS = 50_000
DEADLINE_MS = 8


@pytest.fixture(params=["sqlite_engine", "pg_engine"])
def seeded(request, routing):
    engine = request.getfixturevalue(request.param)
    seed(engine, routing, TICKETS, days=30, seed=3)
    return engine


def _drop_status_index(engine):
    index = next(i for i in s.ticket_status_log.indexes if i.name.endswith("status_changed"))
    with engine.begin() as conn:
        index.drop(conn)
    return index


def _new_tickets(engine, config, routing, n=5):
    return [
        tickets.create_ticket(engine, routing, config, {**NEW_TICKET, "customer_id": 900 + i})["id"]
        for i in range(n)
    ]


def _statuses(engine, ids):
    with engine.connect() as conn:
        return set(
            conn.execute(sa.select(s.ticket.c.status_code).where(s.ticket.c.id.in_(ids))).scalars()
        )


def _degraded_alerts(engine):
    with engine.connect() as conn:
        return conn.execute(
            sa.select(sa.func.count())
            .select_from(s.sla_alert)
            .where(s.sla_alert.c.kind == "dispatch_degraded")
        ).scalar()


def test_with_the_index_the_pickup_meets_its_deadline(seeded, config, routing):
    strict = config.with_overrides({"dispatch": {"query_timeout_ms": DEADLINE_MS}})
    ids = _new_tickets(seeded, config, routing)
    assert Dispatcher(seeded, strict).run_once() == len(ids)
    assert _statuses(seeded, ids) == {"ASSIGNED"}


def test_alert_mode_records_degraded_dispatch_and_retries(seeded, config, routing):
    alert = config.with_overrides(
        {"dispatch": {"query_timeout_ms": DEADLINE_MS, "on_query_timeout": "alert"}}
    )
    ids = _new_tickets(seeded, config, routing)
    index = _drop_status_index(seeded)
    dispatcher = Dispatcher(seeded, alert)
    assert dispatcher.run_once() == 0
    assert _degraded_alerts(seeded) == 1
    health = dispatcher.health.to_dict()
    assert health["timeouts"] == 1 and "timed out" in health["last_error"]
    assert _statuses(seeded, ids) == {"NEW"}
    with seeded.begin() as conn:  # the DBA rebuilds the index; the next cycle catches up
        index.create(conn)
    assert dispatcher.run_once() == len(ids)
    assert dispatcher.health.to_dict()["last_error"] is None


def test_skip_mode_silently_skips_the_queue(seeded, config, routing, caplog):
    skip = config.with_overrides(
        {"dispatch": {"query_timeout_ms": DEADLINE_MS, "on_query_timeout": "skip"}}
    )
    ids = _new_tickets(seeded, config, routing)
    _drop_status_index(seeded)
    dispatcher = Dispatcher(seeded, skip)
    for _ in range(3):
        assert dispatcher.run_once() == 0
    assert _statuses(seeded, ids) == {"NEW"}  # never dispatched
    assert _degraded_alerts(seeded) == 0  # and nothing alerted
    health = dispatcher.health.to_dict()
    assert health["last_error"] is None and health["timeouts"] == 0  # health looks fine
    assert "treating as empty" in caplog.text  # only a log line tells
    # Manual assignment still works, as it did during the incident.
    assert tickets.assign(seeded, ids[0], agent_id=1, actor="supervisor")["status_code"] == (
        "ASSIGNED"
    )
