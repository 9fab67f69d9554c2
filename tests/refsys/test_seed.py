"""The seeder: realistic, deterministic history; a PostgreSQL bulk load keeps indexes and keys."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from reference_system import schema as s
from reference_system import seed as seeding
from reference_system.database import utcnow


def _names(engine):
    inspector = sa.inspect(engine)
    names = set()
    for table in ("ticket", "ticket_status_log"):
        names |= {i["name"] for i in inspector.get_indexes(table)}
        names |= {fk["name"] for fk in inspector.get_foreign_keys(table)}
    return names


def _expected():
    names = set()
    for table in (s.ticket, s.ticket_status_log):
        names |= {i.name for i in table.indexes}
        names |= {fk.name for fk in table.foreign_key_constraints}
    return names


def test_bulk_load_on_postgresql_rebuilds_every_index_and_key(pg_engine, routing, monkeypatch):
    monkeypatch.setattr(seeding, "BULK_MIN_TICKETS", 100)
    result = seeding.seed(pg_engine, routing, 2_000, days=10, seed=5, batch=500)
    assert _names(pg_engine) == _expected()
    with pg_engine.connect() as conn:
        logs = conn.execute(sa.select(sa.func.count()).select_from(s.ticket_status_log)).scalar()
        orphans = conn.execute(
            sa.text(
                "SELECT count(*) FROM ticket_status_log l "
                "WHERE NOT EXISTS (SELECT 1 FROM ticket t WHERE t.id = l.ticket_id)"
            )
        ).scalar()
    assert result.status_rows == logs and orphans == 0
    assert 5.0 <= logs / 2_000 <= 7.0
    # The metadata still creates the keys inline afterwards (a fresh schema is complete).
    ddl = str(sa.schema.CreateTable(s.ticket_status_log).compile(dialect=pg_engine.dialect))
    assert "fk_ticket_status_log_ticket" in ddl


def test_history_is_deterministic_realistic_and_outside_the_pickup_window(routing):
    now = utcnow()
    agents = {d: [1, 2, 3] for d in routing.departments}

    def rows(seed):
        return list(
            seeding.generate(
                3_000,
                routing=routing,
                agents=agents,
                first_ticket_id=1,
                first_log_id=1,
                days=30,
                seed=seed,
                now=now,
            )
        )

    first, again, other = rows(7), rows(7), rows(8)
    assert first == again and first != other
    priorities = Counter(t[1] for t, _ in first)
    sources = Counter(t[3] for t, _ in first)
    assert min(priorities, key=priorities.get) == "P0" and len(sources) == 3
    hours = Counter(t[12].hour for t, _ in first)
    assert hours[1] > 3 * hours[5]  # the night peak against the small hours
    news = [r for _, logs in first for r in logs if r[3] == "NEW"]
    assert all(r[4] < now - timedelta(hours=1) for r in news)
    assert all(r[6] and r[6].startswith("routed by ") for r in news)  # reasons as the live system
