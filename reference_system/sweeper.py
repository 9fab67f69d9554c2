"""The SLA sweeper: first-response and resolution timeout alerts, and escalation to the backup.

Each alert fires exactly once per (ticket, kind, level): level 1 when the window runs out, level 2
at twice the window. Escalation alerts the backup agent when the primary has not responded within
``sla.escalation_s`` of dispatch. The unique constraint ``uq_sla_alert_ticket_kind_level`` makes
the insert idempotent even with several sweepers.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from reference_system import schema as s
from reference_system.config import Config
from reference_system.database import naive_utc, read_tx, utcnow, write_tx
from reference_system.queries import load_hot_queries
from reference_system.worker import Worker

log = logging.getLogger("refsys.sweeper")


def due_alerts(row: Any, config: Config, now) -> list[dict[str, Any]]:
    """Alerts due for one open ticket at ``now`` (whether or not already fired)."""
    window = config.sla.windows[row.priority]
    created = naive_utc(row.created_at)
    due = []
    if row.first_response_at is None:
        for level in (1, 2):
            at = created + timedelta(seconds=window.first_response_s * level)
            if at <= now:
                due.append(
                    {
                        "kind": "first_response",
                        "level": level,
                        "due_at": at,
                        "agent_id": row.assignee_id,
                    }
                )
        if row.dispatched_at is not None and row.backup_assignee_id is not None:
            at = naive_utc(row.dispatched_at) + timedelta(seconds=config.sla.escalation_s)
            if at <= now:
                due.append(
                    {
                        "kind": "escalation",
                        "level": 1,
                        "due_at": at,
                        "agent_id": row.backup_assignee_id,
                    }
                )
    if row.resolved_at is None:
        for level in (1, 2):
            at = created + timedelta(seconds=window.resolution_s * level)
            if at <= now:
                due.append(
                    {
                        "kind": "resolution",
                        "level": level,
                        "due_at": at,
                        "agent_id": row.assignee_id,
                    }
                )
    return due


class Sweeper(Worker):
    def __init__(self, engine: Engine, config: Config, name: str = "sweeper") -> None:
        super().__init__(name, config.sweeper.interval_ms, config.sweeper.enabled, log)
        self.engine = engine
        self.config = config

    def run_once(self) -> int:
        """Fire every alert that is due and not yet fired; return how many fired."""
        now = utcnow()
        shortest = min(w.first_response_s for w in self.config.sla.windows.values())
        sql = sa.text(load_hot_queries()["sla_sweep"].for_dialect(self.engine.dialect.name))
        with read_tx(self.engine) as conn:
            rows = conn.execute(
                sql,
                {
                    "due_before": now - timedelta(seconds=shortest),
                    "batch": self.config.sweeper.batch_size,
                },
            ).all()
        candidates = [(row, alert) for row in rows for alert in due_alerts(row, self.config, now)]
        if not candidates:
            self.health.last_error = None
            self.health.ran(0)
            return 0
        ids = sorted({row.id for row, _ in candidates})
        fired = 0
        with write_tx(self.engine) as conn:
            existing = {
                (r.ticket_id, r.kind, r.level)
                for r in conn.execute(
                    sa.select(
                        s.sla_alert.c.ticket_id, s.sla_alert.c.kind, s.sla_alert.c.level
                    ).where(s.sla_alert.c.ticket_id.in_(ids))
                )
            }
            for row, alert in candidates:
                key = (row.id, alert["kind"], alert["level"])
                if key in existing:
                    continue
                try:
                    with conn.begin_nested():
                        conn.execute(
                            sa.insert(s.sla_alert).values(
                                ticket_id=row.id, fired_at=utcnow(), **alert
                            )
                        )
                    fired += 1
                    existing.add(key)
                except sa.exc.IntegrityError:
                    existing.add(key)  # another sweeper fired it first: still exactly once
        self.health.last_error = None
        self.health.ran(fired)
        return fired
