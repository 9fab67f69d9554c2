"""Tables and explicitly named indexes of the reference ticket system (SQLAlchemy Core).

Every hot query (see ``hot_queries.yaml``) is served by one of the named indexes; the one that
matters most is ``ix_ticket_status_log_status_changed``, the dispatcher's pickup index.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Engine

metadata = sa.MetaData()

#: Microsecond timestamps on every dialect (MySQL's DATETIME has none by default).
Timestamp = sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
#: 64-bit keys; on SQLite an INTEGER PRIMARY KEY is the rowid alias.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

PRIORITIES = ("P0", "P1", "P2", "P3")
SOURCES = ("web_form", "hotline", "app")
STATUSES = ("NEW", "ASSIGNED", "IN_PROGRESS", "RESOLVED", "CLOSED", "REOPENED")
OPEN_STATUSES = ("NEW", "ASSIGNED", "IN_PROGRESS", "REOPENED")
PICKUP_STATUSES = ("NEW", "REOPENED")
ALERT_KINDS = ("first_response", "resolution", "escalation", "dispatch_degraded")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


agent = sa.Table(
    "agent",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("department", sa.String(32), nullable=False),
    sa.Column("is_lead", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Index("ix_agent_department", "department"),
)

duty_roster = sa.Table(
    "duty_roster",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("department", sa.String(32), nullable=False),
    sa.Column(
        "agent_id", BigId, sa.ForeignKey("agent.id", name="fk_duty_roster_agent"), nullable=False
    ),
    sa.Column("role", sa.String(8), nullable=False),
    # On-duty window as minutes of the UTC day; a window may wrap midnight (start > end).
    sa.Column("shift_start_min", sa.Integer, nullable=False, server_default="0"),
    sa.Column("shift_end_min", sa.Integer, nullable=False, server_default="1440"),
    sa.CheckConstraint(_in("role", ("primary", "backup")), name="ck_duty_roster_role"),
    sa.Index("ix_duty_roster_department_role", "department", "role"),
    sa.Index("ix_duty_roster_agent", "agent_id"),
)

sla_policy = sa.Table(
    "sla_policy",
    metadata,
    sa.Column("priority", sa.String(2), primary_key=True),
    sa.Column("first_response_s", sa.Integer, nullable=False),
    sa.Column("resolution_s", sa.Integer, nullable=False),
    sa.Column("escalation_s", sa.Integer, nullable=False),
    sa.CheckConstraint(_in("priority", PRIORITIES), name="ck_sla_policy_priority"),
)

routing_rule = sa.Table(
    "routing_rule",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("department", sa.String(32), nullable=False),
    sa.Column("keywords", sa.String(400), nullable=True),
    sa.Column("source", sa.String(16), nullable=True),
    sa.Column("region", sa.String(32), nullable=True),
    sa.Column("category", sa.String(32), nullable=True),
    sa.UniqueConstraint("position", name="uq_routing_rule_position"),
)

ticket = sa.Table(
    "ticket",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("priority", sa.String(2), nullable=False),
    sa.Column("status_code", sa.String(16), nullable=False),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("region", sa.String(32), nullable=False),
    sa.Column("category", sa.String(32), nullable=False),
    sa.Column("customer_id", sa.BigInteger, nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("department", sa.String(32), nullable=True),
    sa.Column(
        "assignee_id", BigId, sa.ForeignKey("agent.id", name="fk_ticket_assignee"), nullable=True
    ),
    sa.Column(
        "backup_assignee_id",
        BigId,
        sa.ForeignKey("agent.id", name="fk_ticket_backup_assignee"),
        nullable=True,
    ),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("dispatched_at", Timestamp, nullable=True),
    sa.Column("first_response_at", Timestamp, nullable=True),
    sa.Column("resolved_at", Timestamp, nullable=True),
    sa.Column("closed_at", Timestamp, nullable=True),
    sa.Column("reopen_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column(
        "recurrence_of",
        BigId,
        sa.ForeignKey("ticket.id", name="fk_ticket_recurrence"),
        nullable=True,
    ),
    sa.CheckConstraint(_in("priority", PRIORITIES), name="ck_ticket_priority"),
    sa.CheckConstraint(_in("source", SOURCES), name="ck_ticket_source"),
    sa.CheckConstraint(_in("status_code", STATUSES), name="ck_ticket_status"),
    # SLA sweep: open tickets by status and age.
    sa.Index("ix_ticket_status_created", "status_code", "created_at"),
    # Per-agent load: open tickets per assignee.
    sa.Index("ix_ticket_assignee_status", "assignee_id", "status_code"),
    # Recurrence check: same customer and category within the window.
    sa.Index("ix_ticket_customer_category_created", "customer_id", "category", "created_at"),
    sa.Index("ix_ticket_backup_assignee", "backup_assignee_id"),
    sa.Index("ix_ticket_recurrence_of", "recurrence_of"),
)

ticket_status_log = sa.Table(
    "ticket_status_log",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column(
        "ticket_id",
        BigId,
        sa.ForeignKey("ticket.id", name="fk_ticket_status_log_ticket"),
        nullable=False,
    ),
    sa.Column("from_status", sa.String(16), nullable=True),
    sa.Column("status_code", sa.String(16), nullable=False),
    sa.Column("changed_at", Timestamp, nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("reason", sa.String(200), nullable=True),
    # The dispatcher's pickup index: SLA-critical. Dropping it is the incident.
    sa.Index("ix_ticket_status_log_status_changed", "status_code", "changed_at"),
    # Ticket timeline.
    sa.Index("ix_ticket_status_log_ticket_changed", "ticket_id", "changed_at"),
)

sla_alert = sa.Table(
    "sla_alert",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column(
        "ticket_id", BigId, sa.ForeignKey("ticket.id", name="fk_sla_alert_ticket"), nullable=True
    ),
    sa.Column("kind", sa.String(24), nullable=False),
    sa.Column("level", sa.Integer, nullable=False, server_default="1"),
    sa.Column("due_at", Timestamp, nullable=False),
    sa.Column("fired_at", Timestamp, nullable=False),
    sa.Column(
        "agent_id", BigId, sa.ForeignKey("agent.id", name="fk_sla_alert_agent"), nullable=True
    ),
    sa.Column("detail", sa.String(400), nullable=True),
    sa.CheckConstraint(_in("kind", ALERT_KINDS), name="ck_sla_alert_kind"),
    # Exactly once per ticket, kind and level.
    sa.UniqueConstraint("ticket_id", "kind", "level", name="uq_sla_alert_ticket_kind_level"),
    sa.Index("ix_sla_alert_kind_fired", "kind", "fired_at"),
    sa.Index("ix_sla_alert_agent", "agent_id"),
)

ticket_action = sa.Table(
    "ticket_action",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column(
        "ticket_id",
        BigId,
        sa.ForeignKey("ticket.id", name="fk_ticket_action_ticket"),
        nullable=False,
    ),
    sa.Column(
        "agent_id", BigId, sa.ForeignKey("agent.id", name="fk_ticket_action_agent"), nullable=False
    ),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("next_action", sa.Text, nullable=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Index("ix_ticket_action_ticket_created", "ticket_id", "created_at"),
    sa.Index("ix_ticket_action_agent", "agent_id"),
)

followup = sa.Table(
    "followup",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column(
        "ticket_id", BigId, sa.ForeignKey("ticket.id", name="fk_followup_ticket"), nullable=False
    ),
    sa.Column("customer_id", sa.BigInteger, nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("rating", sa.Integer, nullable=True),
    sa.Column("reason", sa.String(400), nullable=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.CheckConstraint(_in("kind", ("confirm", "reopen", "rate")), name="ck_followup_kind"),
    sa.CheckConstraint("rating IS NULL OR (rating BETWEEN 1 AND 5)", name="ck_followup_rating"),
    sa.Index("ix_followup_ticket_created", "ticket_id", "created_at"),
)

#: Indexes whose loss breaks the SLA pipeline (marked critical in the committed baselines).
CRITICAL_INDEXES = ("ix_ticket_status_log_status_changed", "ix_ticket_status_log_ticket_changed")


def create_schema(engine: Engine) -> None:
    """Create every table and index (idempotent); SQLite files switch to WAL for concurrency."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
    metadata.create_all(engine)


def drop_schema(engine: Engine) -> None:
    metadata.drop_all(engine)
