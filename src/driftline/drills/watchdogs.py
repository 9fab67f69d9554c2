"""Database-side detectors of the ticket pipeline: the checks that would have caught the
incident in minutes. All read through :func:`driftline.db.read_only`.

- queue watchdog: tickets still waiting for dispatch well past the dispatch deadline;
- degraded-dispatch alerts: ``dispatch_degraded`` rows the dispatcher wrote (alert mode only);
- roster coverage: departments the routing sends tickets to with nobody on primary duty.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from driftline.db import read_only
from driftline.drills.detection import Detection
from driftline.findings import Finding, Severity


def _naive(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def queue_watchdog(
    engine: Engine, since: datetime, deadline_s: float, until: datetime | None = None
) -> Detection:
    """Tickets created since ``since`` that were never dispatched within ``deadline_s``.

    ``until`` is when the system under test stopped (the end of the run; default now): a ticket
    still waiting then is late only if it had already waited ``deadline_s``. One created in the
    run's last seconds had no chance yet, however long the detectors take to run afterwards.
    """
    # The first dispatch, from the status log: a reopened ticket is dispatched again, and that
    # overwrites ticket.dispatched_at (a ticket dispatched in 0.6 s read as waiting 9.9 s).
    with read_only(engine) as conn:
        rows = conn.execute(
            sa.text(
                "SELECT t.id, t.created_at, t.department, "
                "(SELECT MIN(l.changed_at) FROM ticket_status_log l "
                "WHERE l.ticket_id = t.id AND l.status_code = 'ASSIGNED') AS dispatched_at "
                "FROM ticket t WHERE t.created_at >= :since"
            ),
            {"since": since},
        ).all()
    end = until or _now()
    late = []
    for row in rows:
        created, dispatched = _naive(row.created_at), _naive(row.dispatched_at)
        waited = ((dispatched or end) - created).total_seconds()
        if waited > deadline_s:
            late.append((created + timedelta(seconds=deadline_s), row))
    if not late:
        return Detection("queue watchdog", False, f"all {len(rows)} new tickets dispatched in time")
    first_late = min(at for at, _ in late)
    departments = sorted({r.department or "?" for _, r in late})
    finding = Finding(
        Severity.ERROR,
        "pipeline.dispatch_stalled",
        "table ticket",
        f"{len(late)} of {len(rows)} new tickets waited more than {deadline_s:.0f} s for "
        f"automatic dispatch (departments: {', '.join(departments)})",
        fix="check the dispatcher's health, its pickup query plan and the duty roster",
    )
    summary = f"{len(late)}/{len(rows)} tickets not dispatched within {deadline_s:.0f} s"
    return Detection("queue watchdog", True, summary, first_late, [finding])


def degraded_alerts(engine: Engine, since: datetime) -> Detection:
    with read_only(engine) as conn:
        rows = conn.execute(
            sa.text(
                "SELECT fired_at, detail FROM sla_alert "
                "WHERE kind = 'dispatch_degraded' AND fired_at >= :since ORDER BY fired_at"
            ),
            {"since": since},
        ).all()
    if not rows:
        return Detection("dispatcher alerts", False, "no dispatch_degraded alert")
    finding = Finding(
        Severity.ERROR,
        "pipeline.dispatch_degraded",
        "dispatcher",
        f"{len(rows)} dispatch_degraded alerts; first: {rows[0].detail}",
    )
    return Detection(
        "dispatcher alerts",
        True,
        f"{len(rows)} dispatch_degraded alerts",
        _naive(rows[0].fired_at),
        [finding],
    )


def roster_coverage(engine: Engine) -> Detection:
    from reference_system.config import load_config
    from reference_system.dispatcher import on_duty
    from reference_system.routing import load_routing

    departments = load_routing(load_config().routing_file).departments
    now = _now()
    minute = now.hour * 60 + now.minute
    with read_only(engine) as conn:
        rows = conn.execute(
            sa.text(
                "SELECT department, shift_start_min, shift_end_min FROM duty_roster "
                "WHERE role = 'primary'"
            )
        ).all()
    covered = {r.department for r in rows if on_duty(r, minute)}
    missing = [d for d in departments if d not in covered]
    if not missing:
        return Detection("roster coverage", False, f"all {len(departments)} departments staffed")
    findings = [
        Finding(
            Severity.ERROR,
            "pipeline.roster_empty",
            f"department {d}",
            "nobody is on primary duty: its tickets cannot be dispatched",
            fix=f"put an agent of {d} on primary duty (duty_roster)",
        )
        for d in missing
    ]
    return Detection(
        "roster coverage", True, f"nobody on duty in {', '.join(missing)}", None, findings
    )
