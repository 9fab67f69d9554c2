"""Reference data: SLA policy, routing rules, agents and the duty roster (idempotent)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from reference_system import schema as s
from reference_system.config import Config
from reference_system.database import write_tx
from reference_system.routing import load_routing

AGENTS_PER_DEPARTMENT = 6  # 4 on primary duty (the first is the lead), 2 backups


def init_database(engine: Engine, config: Config) -> None:
    """Create the schema and load reference data; safe to run again."""
    s.create_schema(engine)
    routing = load_routing(config.routing_file)
    with write_tx(engine) as conn:
        conn.execute(sa.delete(s.sla_policy))
        conn.execute(
            sa.insert(s.sla_policy),
            [
                {
                    "priority": p,
                    "first_response_s": w.first_response_s,
                    "resolution_s": w.resolution_s,
                    "escalation_s": config.sla.escalation_s,
                }
                for p, w in sorted(config.sla.windows.items())
            ],
        )
        conn.execute(sa.delete(s.routing_rule))
        conn.execute(
            sa.insert(s.routing_rule),
            [
                {
                    "position": i,
                    "name": r.name,
                    "department": r.department,
                    "keywords": ",".join(r.keywords) or None,
                    "source": ",".join(r.source) or None,
                    "region": ",".join(r.region) or None,
                    "category": ",".join(r.category) or None,
                }
                for i, r in enumerate(routing.rules, start=1)
            ],
        )
        if conn.execute(sa.select(sa.func.count()).select_from(s.agent)).scalar():
            return
        for department in routing.departments:
            for n in range(AGENTS_PER_DEPARTMENT):
                agent_id = conn.execute(
                    sa.insert(s.agent).values(
                        name=f"{department}-agent-{n + 1}",
                        department=department,
                        is_lead=n == 0,
                        active=True,
                    )
                ).inserted_primary_key[0]
                conn.execute(
                    sa.insert(s.duty_roster).values(
                        department=department,
                        agent_id=agent_id,
                        role="primary" if n < 4 else "backup",
                        shift_start_min=0,
                        shift_end_min=1440,
                    )
                )
