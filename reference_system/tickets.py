"""The ticket service: create, act, resolve, confirm, reopen, rate, assign — the business rules.

Rules: priority P0–P3 is required and routing picks the department; a first response counts only
when a note AND a next action are recorded (viewing does not); resolve then the customer confirms
to close (double sign-off); within the reopen window the customer can reopen and the priority
becomes P1 (P0 stays P0); the same customer and category again within the recurrence window marks
a recurrence; every rating needs a reason. Manual assignment works whatever the dispatcher does.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from reference_system import schema as s
from reference_system.config import Config
from reference_system.database import iso, naive_utc, read_tx, utcnow, write_tx
from reference_system.errors import Conflict, Forbidden, Invalid, NotFound
from reference_system.queries import load_hot_queries
from reference_system.routing import RoutingTable

TICKET_TIMES = ("created_at", "dispatched_at", "first_response_at", "resolved_at", "closed_at")


def ticket_json(row: Any) -> dict[str, Any]:
    data = dict(row._mapping)
    for key in TICKET_TIMES:
        data[key] = iso(data.get(key))
    return data


def log_status(
    conn: Connection,
    ticket_id: int,
    from_status: str | None,
    to_status: str,
    actor: str,
    reason: str | None = None,
    at=None,
) -> None:
    conn.execute(
        sa.insert(s.ticket_status_log).values(
            ticket_id=ticket_id,
            from_status=from_status,
            status_code=to_status,
            changed_at=at or utcnow(),
            actor=actor[:64],
            reason=(reason or None) and reason[:200],
        )
    )


def _followup(conn: Connection, ticket_id: int, customer_id: int, kind: str, **values: Any) -> None:
    conn.execute(
        sa.insert(s.followup).values(
            ticket_id=ticket_id, customer_id=customer_id, kind=kind, **values
        )
    )


def _load(conn: Connection, ticket_id: int, lock: bool = False) -> Any:
    query = sa.select(s.ticket).where(s.ticket.c.id == ticket_id)
    if lock and conn.dialect.name != "sqlite":
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"ticket {ticket_id} does not exist")
    return row


def _agent(conn: Connection, agent_id: int) -> Any:
    row = conn.execute(sa.select(s.agent).where(s.agent.c.id == agent_id)).first()
    if row is None:
        raise Conflict(f"agent {agent_id} does not exist")
    if not row.active:
        raise Conflict(f"agent {agent_id} is not active")
    return row


def create_ticket(
    engine: Engine, routing: RoutingTable, config: Config, data: dict[str, Any]
) -> dict[str, Any]:
    now = utcnow()
    department, rule = routing.explain(
        title=data["title"],
        description=data.get("description") or "",
        source=data["source"],
        region=data["region"],
        category=data["category"],
    )
    recurrence_sql = load_hot_queries()["recurrence_check"]
    with write_tx(engine) as conn:
        since = now - timedelta(seconds=config.followup.recurrence_window_s)
        previous = conn.execute(
            sa.text(recurrence_sql.for_dialect(conn.dialect.name)),
            {"customer_id": data["customer_id"], "category": data["category"], "since": since},
        ).scalar()
        insert = sa.insert(s.ticket).values(
            priority=data["priority"],
            status_code="NEW",
            source=data["source"],
            region=data["region"],
            category=data["category"],
            customer_id=data["customer_id"],
            title=data["title"],
            description=data.get("description") or "",
            department=department,
            created_at=now,
            reopen_count=0,
            recurrence_of=previous,
        )
        row = None
        if conn.dialect.insert_returning:  # one round trip instead of insert, then read back
            row = conn.execute(insert.returning(*s.ticket.c)).one()
            ticket_id = row.id
        else:
            ticket_id = conn.execute(insert).inserted_primary_key[0]
        log_status(
            conn, ticket_id, None, "NEW", f"{data['source']}:customer", f"routed by {rule}", now
        )
        return ticket_json(row if row is not None else _load(conn, ticket_id))


def get_ticket(engine: Engine, ticket_id: int) -> dict[str, Any]:
    with read_tx(engine) as conn:
        return ticket_json(_load(conn, ticket_id))


def list_tickets(
    engine: Engine,
    status: str | None = None,
    department: str | None = None,
    customer_id: int | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    query = sa.select(s.ticket).order_by(s.ticket.c.id.desc()).limit(limit)
    if status:
        query = query.where(s.ticket.c.status_code == status)
    if department:
        query = query.where(s.ticket.c.department == department)
    if customer_id is not None:
        query = query.where(s.ticket.c.customer_id == customer_id)
    with read_tx(engine) as conn:
        return [ticket_json(r) for r in conn.execute(query)]


def timeline(engine: Engine, ticket_id: int) -> list[dict[str, Any]]:
    sql = load_hot_queries()["ticket_timeline"]
    with read_tx(engine) as conn:
        _load(conn, ticket_id)
        rows = conn.execute(sa.text(sql.for_dialect(conn.dialect.name)), {"ticket_id": ticket_id})
        return [{**dict(r._mapping), "changed_at": iso(r.changed_at)} for r in rows]


def alerts(engine: Engine, ticket_id: int) -> list[dict[str, Any]]:
    with read_tx(engine) as conn:
        _load(conn, ticket_id)
        rows = conn.execute(
            sa.select(s.sla_alert)
            .where(s.sla_alert.c.ticket_id == ticket_id)
            .order_by(s.sla_alert.c.fired_at, s.sla_alert.c.id)
        )
        return [
            {
                "kind": r.kind,
                "level": r.level,
                "due_at": iso(r.due_at),
                "fired_at": iso(r.fired_at),
                "agent_id": r.agent_id,
                "detail": r.detail,
            }
            for r in rows
        ]


def add_action(
    engine: Engine, ticket_id: int, agent_id: int, note: str | None, next_action: str | None
) -> dict[str, Any]:
    """Record a note and/or next action; both together are the ticket's first response."""
    note = (note or "").strip() or None
    next_action = (next_action or "").strip() or None
    if note is None and next_action is None:
        raise Invalid("an action needs a note or a next action")
    now = utcnow()
    with write_tx(engine) as conn:
        ticket = _load(conn, ticket_id, lock=True)
        _agent(conn, agent_id)
        if ticket.status_code in ("CLOSED",):
            raise Conflict(f"ticket {ticket_id} is closed")
        conn.execute(
            sa.insert(s.ticket_action).values(
                ticket_id=ticket_id,
                agent_id=agent_id,
                note=note,
                next_action=next_action,
                created_at=now,
            )
        )
        effective = note is not None and next_action is not None
        if effective and ticket.first_response_at is None:
            values: dict[str, Any] = {"first_response_at": now}
            if ticket.status_code in ("NEW", "ASSIGNED", "REOPENED"):
                values["status_code"] = "IN_PROGRESS"
                log_status(
                    conn,
                    ticket_id,
                    ticket.status_code,
                    "IN_PROGRESS",
                    f"agent:{agent_id}",
                    "first response",
                    now,
                )
            conn.execute(sa.update(s.ticket).where(s.ticket.c.id == ticket_id).values(**values))
        elif effective and ticket.status_code in ("ASSIGNED", "REOPENED"):
            conn.execute(
                sa.update(s.ticket)
                .where(s.ticket.c.id == ticket_id)
                .values(status_code="IN_PROGRESS")
            )
            log_status(
                conn,
                ticket_id,
                ticket.status_code,
                "IN_PROGRESS",
                f"agent:{agent_id}",
                "working",
                now,
            )
        return ticket_json(_load(conn, ticket_id))


def resolve(engine: Engine, ticket_id: int, agent_id: int, resolution: str) -> dict[str, Any]:
    if not resolution.strip():
        raise Invalid("a resolution text is required")
    now = utcnow()
    with write_tx(engine) as conn:
        ticket = _load(conn, ticket_id, lock=True)
        _agent(conn, agent_id)
        if ticket.status_code not in ("ASSIGNED", "IN_PROGRESS", "REOPENED"):
            raise Conflict(f"ticket {ticket_id} is {ticket.status_code}; only open tickets resolve")
        if ticket.first_response_at is None:
            raise Conflict(f"ticket {ticket_id} has no first response (note + next action) yet")
        conn.execute(
            sa.update(s.ticket)
            .where(s.ticket.c.id == ticket_id)
            .values(status_code="RESOLVED", resolved_at=now)
        )
        log_status(
            conn, ticket_id, ticket.status_code, "RESOLVED", f"agent:{agent_id}", resolution, now
        )
        return ticket_json(_load(conn, ticket_id))


def _own(ticket: Any, customer_id: int) -> None:
    if ticket.customer_id != customer_id:
        raise Forbidden(f"customer {customer_id} does not own ticket {ticket.id}")


def confirm(engine: Engine, ticket_id: int, customer_id: int) -> dict[str, Any]:
    """The customer's sign-off closes a resolved ticket."""
    now = utcnow()
    with write_tx(engine) as conn:
        ticket = _load(conn, ticket_id, lock=True)
        _own(ticket, customer_id)
        if ticket.status_code != "RESOLVED":
            raise Conflict(
                f"ticket {ticket_id} is {ticket.status_code}; only resolved tickets close"
            )
        conn.execute(
            sa.update(s.ticket)
            .where(s.ticket.c.id == ticket_id)
            .values(status_code="CLOSED", closed_at=now)
        )
        _followup(conn, ticket_id, customer_id, "confirm", created_at=now)
        log_status(
            conn, ticket_id, "RESOLVED", "CLOSED", f"customer:{customer_id}", "confirmed", now
        )
        return ticket_json(_load(conn, ticket_id))


def reopen(
    engine: Engine, config: Config, ticket_id: int, customer_id: int, reason: str
) -> dict[str, Any]:
    if not reason.strip():
        raise Invalid("a reason is required to reopen")
    now = utcnow()
    with write_tx(engine) as conn:
        ticket = _load(conn, ticket_id, lock=True)
        _own(ticket, customer_id)
        if ticket.status_code not in ("RESOLVED", "CLOSED"):
            raise Conflict(
                f"ticket {ticket_id} is {ticket.status_code}; only resolved tickets reopen"
            )
        window = timedelta(seconds=config.followup.reopen_window_s)
        if now - naive_utc(ticket.resolved_at) > window:
            raise Conflict(
                f"ticket {ticket_id} was resolved more than {config.followup.reopen_window_s} s "
                "ago; open a new ticket"
            )
        priority = "P0" if ticket.priority == "P0" else "P1"
        conn.execute(
            sa.update(s.ticket)
            .where(s.ticket.c.id == ticket_id)
            .values(
                status_code="REOPENED",
                priority=priority,
                reopen_count=ticket.reopen_count + 1,
                resolved_at=None,
                closed_at=None,
            )
        )
        _followup(conn, ticket_id, customer_id, "reopen", reason=reason, created_at=now)
        log_status(
            conn, ticket_id, ticket.status_code, "REOPENED", f"customer:{customer_id}", reason, now
        )
        return ticket_json(_load(conn, ticket_id))


def rate(engine: Engine, ticket_id: int, customer_id: int, rating: int, reason: str) -> dict:
    if not 1 <= rating <= 5:
        raise Invalid("rating must be 1 to 5")
    if not (reason or "").strip():
        raise Invalid("a rating needs a reason")
    with write_tx(engine) as conn:
        ticket = _load(conn, ticket_id)
        _own(ticket, customer_id)
        if ticket.status_code not in ("RESOLVED", "CLOSED"):
            raise Conflict(f"ticket {ticket_id} is {ticket.status_code}; rate it once resolved")
        _followup(
            conn, ticket_id, customer_id, "rate", rating=rating, reason=reason, created_at=utcnow()
        )
        return {"ticket_id": ticket_id, "rating": rating, "reason": reason}


def assign(engine: Engine, ticket_id: int, agent_id: int, actor: str) -> dict[str, Any]:
    """Manual assignment: works whatever the dispatcher does."""
    now = utcnow()
    with write_tx(engine) as conn:
        ticket = _load(conn, ticket_id, lock=True)
        _agent(conn, agent_id)
        if ticket.status_code in ("RESOLVED", "CLOSED"):
            raise Conflict(f"ticket {ticket_id} is {ticket.status_code}; reopen it first")
        new_status = "ASSIGNED" if ticket.status_code in ("NEW", "REOPENED") else ticket.status_code
        conn.execute(
            sa.update(s.ticket)
            .where(s.ticket.c.id == ticket_id)
            .values(assignee_id=agent_id, status_code=new_status)
        )
        log_status(
            conn,
            ticket_id,
            ticket.status_code,
            new_status,
            actor or "manual",
            f"manually assigned to agent {agent_id}",
            now,
        )
        return ticket_json(_load(conn, ticket_id))
