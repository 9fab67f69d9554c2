"""The dispatcher: picks up NEW and REOPENED tickets and assigns the least-loaded on-duty agent.

The pickup query (``dispatch_pickup`` in hot_queries.yaml) is served by
``ix_ticket_status_log_status_changed`` and runs under ``dispatch.query_timeout_ms``. When it
times out, ``on_query_timeout: alert`` records a ``dispatch_degraded`` alert and retries next
cycle; ``skip`` logs the timeout and treats the result as empty — the historical incident, in
which the queue was silently skipped for days. The pickup reads only the status log (a ticket
waits when its latest status is NEW or REOPENED), so without its index the only plan left is a
full scan. On PostgreSQL the pickup locks its queue rows (``FOR UPDATE OF l SKIP LOCKED``; see
``PICKUP_LOCK``). Picked tickets are claimed with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL,
MariaDB) or inside a ``BEGIN IMMEDIATE`` transaction (SQLite), and the assignment is conditional
on the status, so two dispatchers never assign one ticket twice.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from reference_system import schema as s
from reference_system.config import Config
from reference_system.database import utcnow, write_tx
from reference_system.queries import load_hot_queries
from reference_system.tickets import log_status
from reference_system.timeouts import QueryTimeout, fetch_with_timeout
from reference_system.worker import Worker

log = logging.getLogger("refsys.dispatcher")

OPEN_ASSIGNED = ("ASSIGNED", "IN_PROGRESS", "REOPENED")
_SKIP_LOCKED = {"postgresql", "mysql", "mariadb"}


#: Appended to the pickup per dialect: PostgreSQL locks the picked queue entries, so a second
#: dispatcher skips them. A locking query never runs in parallel, so without its index the pickup
#: is one backend scanning the whole log, as in the incident. (MariaDB has no ``OF``, and would
#: lock every row it reads: there the ticket claim below is the only lock.)
PICKUP_LOCK = {"postgresql": "FOR UPDATE OF l SKIP LOCKED"}


def pickup_sql(dialect: str) -> str:
    """The pickup as the dispatcher runs it: hot_queries.yaml's SQL plus the dialect's lock.

    It reads only ticket_status_log: without its status index there is no detour."""
    dialect = "mysql" if dialect == "mariadb" else dialect
    sql = load_hot_queries()["dispatch_pickup"].for_dialect(dialect)
    lock = PICKUP_LOCK.get(dialect)
    return f"{sql}\n{lock}" if lock else sql


def claim_tickets(conn: Connection, ids: list[int]) -> list[Any]:
    """Lock the picked tickets that are still waiting; another dispatcher's are skipped."""
    if not ids:
        return []
    query = (
        sa.select(s.ticket.c.id, s.ticket.c.department, s.ticket.c.priority, s.ticket.c.status_code)
        .where(s.ticket.c.id.in_(ids), s.ticket.c.status_code.in_(("NEW", "REOPENED")))
        .order_by(s.ticket.c.id)
    )
    if conn.dialect.name in _SKIP_LOCKED:
        query = query.with_for_update(skip_locked=True)
    return conn.execute(query).all()


def on_duty(row: Any, minute: int) -> bool:
    start, end = row.shift_start_min, row.shift_end_min
    if start <= end:
        return start <= minute < end
    return minute >= start or minute < end


class Roster:
    """Within one dispatch cycle: who is on duty (read once per department and role) and each
    agent's open tickets (the ``agent_load`` hot query, once per agent, then counted locally)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        now = utcnow()
        self.minute = now.hour * 60 + now.minute
        self._load_sql = sa.text(load_hot_queries()["agent_load"].for_dialect(conn.dialect.name))
        self._on_duty: dict[tuple[str, str], list[Any]] = {}
        self._loads: dict[int, int] = {}

    def agents(self, department: str, role: str, lead: bool) -> list[int]:
        key = (department, role)
        if key not in self._on_duty:
            rows = self.conn.execute(
                sa.select(
                    s.duty_roster.c.agent_id,
                    s.duty_roster.c.shift_start_min,
                    s.duty_roster.c.shift_end_min,
                    s.agent.c.is_lead,
                )
                .join(s.agent, s.agent.c.id == s.duty_roster.c.agent_id)
                .where(
                    s.duty_roster.c.department == department,
                    s.duty_roster.c.role == role,
                    s.agent.c.active == sa.true(),
                )
                .order_by(s.duty_roster.c.agent_id)
            ).all()
            self._on_duty[key] = [r for r in rows if on_duty(r, self.minute)]
        on = self._on_duty[key]
        if lead:
            leads = [r.agent_id for r in on if r.is_lead]
            if leads:
                return leads
        return [r.agent_id for r in on]

    def least_loaded(self, agent_ids: list[int]) -> int:
        for agent in agent_ids:
            if agent not in self._loads:
                self._loads[agent] = (
                    self.conn.execute(self._load_sql, {"agent_id": agent}).scalar() or 0
                )
        return min((self._loads[a], a) for a in agent_ids)[1]

    def assigned(self, agent_id: int) -> None:
        self._loads[agent_id] = self._loads.get(agent_id, 0) + 1


class Dispatcher(Worker):
    """One dispatcher; several may run at once against the same database."""

    def __init__(self, engine: Engine, config: Config, name: str = "dispatcher") -> None:
        super().__init__(name, config.dispatch.interval_ms, config.dispatch.enabled, log)
        self.engine = engine
        self.config = config

    # --- one cycle -------------------------------------------------------------------------
    def run_once(self) -> int:
        """Pick up and assign one batch; return how many tickets were assigned."""
        cfg = self.config.dispatch
        now = utcnow()
        params = {"since": now - timedelta(seconds=cfg.lookback_s), "batch": cfg.batch_size}
        try:
            with write_tx(self.engine) as conn:
                picked = fetch_with_timeout(
                    conn, pickup_sql(conn.dialect.name), params, cfg.query_timeout_ms
                )
                rows = claim_tickets(conn, [r.ticket_id for r in picked])
                roster = Roster(conn)
                assigned = sum(self._assign(conn, roster, row) for row in rows)
        except QueryTimeout as exc:
            self._timed_out(str(exc))
            return 0
        self.health.last_error = None
        self.health.ran(assigned)
        return assigned

    def _timed_out(self, reason: str) -> None:
        cfg = self.config.dispatch
        if cfg.on_query_timeout == "skip":
            # The historical behaviour: the error is swallowed and the queue looks empty.
            log.warning(
                "pickup query timed out after %d ms; treating as empty (on_query_timeout=skip)",
                cfg.query_timeout_ms,
            )
            self.health.ran(0)
            return
        with self.health.lock:
            self.health.timeouts += 1
            self.health.last_error = f"pickup query timed out after {cfg.query_timeout_ms} ms"
        log.error("dispatch engine degraded: %s", reason)
        now = utcnow()
        with write_tx(self.engine) as conn:
            conn.execute(
                sa.insert(s.sla_alert).values(
                    ticket_id=None,
                    kind="dispatch_degraded",
                    level=1,
                    due_at=now,
                    fired_at=now,
                    detail=f"{self.name}: pickup query timed out after {cfg.query_timeout_ms} ms",
                )
            )
        self.health.ran(0)

    def _assign(self, conn: Connection, roster: Roster, row: Any) -> int:
        department = row.department or "general"
        primaries = roster.agents(department, "primary", lead=row.priority == "P0")
        if not primaries:
            log.warning("no on-duty agent in %s for ticket %s", department, row.id)
            return 0
        primary = roster.least_loaded(primaries)
        backups = [a for a in roster.agents(department, "backup", lead=False) if a != primary]
        backup = backups[row.id % len(backups)] if backups else None
        now = utcnow()
        result = conn.execute(
            sa.update(s.ticket)
            .where(s.ticket.c.id == row.id, s.ticket.c.status_code.in_(("NEW", "REOPENED")))
            .values(
                status_code="ASSIGNED",
                assignee_id=primary,
                backup_assignee_id=backup,
                dispatched_at=now,
            )
        )
        if result.rowcount != 1:
            return 0
        roster.assigned(primary)
        log_status(
            conn,
            row.id,
            row.status_code,
            "ASSIGNED",
            self.name,
            f"auto-dispatched to agent {primary}",
            now,
        )
        return 1
