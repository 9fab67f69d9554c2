"""The 24-hour heat maps: when tickets are created, first answered and resolved (hour × weekday),
read through a read-only connection from the reference system's ticket table, or with the SQL
of another system's adapter (``database.heatmap`` / ``database.titles``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from driftline import dialects
from driftline.db import describe, make_engine, parse_url, read_only
from driftline.errors import InputFileError, UsageError
from driftline.report.heatmap import Grid, week_hour_grid
from driftline.systems.model import Database

_ticket = sa.table(
    "ticket",
    sa.column("id", sa.BigInteger),
    sa.column("title", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("first_response_at", sa.DateTime(timezone=True)),
    sa.column("resolved_at", sa.DateTime(timezone=True)),
)

EVENTS = (
    ("created_at", "Tickets created"),
    ("first_response_at", "First responses"),
    ("resolved_at", "Resolutions"),
)


@dataclass
class TicketHours:
    """Three week × hour grids (UTC) and the titles of the tickets asked for."""

    source: str
    grids: list[Grid]
    titles: dict[str, str] = field(default_factory=dict)
    total: int = 0


def _adapter_queries(database: Database | None) -> tuple[Any, Any] | None:
    """The adapter's heat-map and titles statements, when it has them."""
    if database is None or not database.heatmap:
        return None
    titles = None
    if database.titles:
        titles = sa.text(database.titles).bindparams(sa.bindparam("ids", expanding=True))
    return sa.text(database.heatmap), titles


def read_ticket_hours(
    url: str, ticket_ids: Iterable[str] = (), queries: Database | None = None
) -> TicketHours:
    """Count ticket events per weekday and hour; fetch titles of ``ticket_ids``.
    ``queries``: the system adapter's SQL (default: the reference system's ticket table)."""
    parsed = parse_url(url)
    database = parsed.database or ""
    on_disk = dialects.of(parsed).file_based and database not in ("", ":memory:")
    if on_disk and not Path(database).is_file():  # reading must never create an empty database
        raise InputFileError(database, "no such SQLite database (--db)")
    engine = make_engine(parsed)
    columns: dict[str, list[datetime | None]] = {name: [] for name, _ in EVENTS}
    titles: dict[str, str] = {}
    adapter = _adapter_queries(queries)
    try:
        with read_only(engine) as conn:
            query = sa.select(*(_ticket.c[name] for name, _ in EVENTS))
            for row in conn.execute(adapter[0] if adapter else query):
                for (name, _), value in zip(EVENTS, row[:3], strict=True):
                    columns[name].append(_utc(value))
            wanted = sorted({int(t) for t in ticket_ids if str(t).isdigit()})
            if wanted and adapter:
                found = conn.execute(adapter[1], {"ids": wanted}) if adapter[1] is not None else []
                titles = {str(i): str(title) for i, title in found}
            elif wanted:
                found = conn.execute(
                    sa.select(_ticket.c.id, _ticket.c.title).where(_ticket.c.id.in_(wanted))
                )
                titles = {str(i): str(title) for i, title in found}
    except sa.exc.DBAPIError as exc:
        first = str(exc.orig or exc).strip().splitlines()[0]
        raise UsageError(
            f"{describe(url)}: cannot read the ticket table for the 24 h heat maps ({first}); "
            "--db wants the database of the system the run tested"
        ) from None
    finally:
        engine.dispose()
    grids = [week_hour_grid(title, columns[name]) for name, title in EVENTS]
    return TicketHours(describe(url), grids, titles, len(columns["created_at"]))


def _utc(value: object) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
