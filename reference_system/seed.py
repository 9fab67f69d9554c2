"""Realistic ticket history: priority/source/region mix, a 24 h pattern with a night peak, about
six status rows per ticket. PostgreSQL loads with COPY; other dialects with batched executemany.

Seeded tickets are history: created between ``days`` ago and two hours ago (outside the
dispatcher's lookback). Most are closed; about ``OPEN_SHARE`` are still open (assigned or in
progress, more of the recent ones than of the old ones), spread over every department's agents as
in a real backlog. None waits for dispatch, so a live system starts with a realistic volume in
``ticket_status_log``, realistic per-agent loads and an empty dispatch queue.
"""

from __future__ import annotations

import queue
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from reference_system import schema as s
from reference_system.database import utcnow
from reference_system.routing import RoutingTable

PRIORITY_MIX = {"P0": 2, "P1": 13, "P2": 45, "P3": 40}
SOURCE_MIX = {"web_form": 45, "hotline": 30, "app": 25}
REGIONS = ("north", "south", "east", "west", "central", "northeast")
CATEGORIES = ("delivery", "billing", "equipment", "account", "store", "other")
#: Relative ticket volume per UTC hour: a day peak, and the night peak of the overnight restock.
HOUR_WEIGHTS = (9, 12, 10, 5, 2, 1, 1, 2, 4, 7, 9, 10, 9, 9, 9, 8, 8, 7, 6, 5, 5, 5, 6, 8)
WEEKDAY_WEIGHTS = (10, 10, 10, 10, 9, 6, 5)  # Monday .. Sunday
TITLES = {
    "delivery": ("Delivery late for order", "Missing items in delivery", "Courier did not arrive"),
    "billing": ("Double charged at checkout", "Refund not received", "Invoice shows wrong amount"),
    "equipment": ("POS till frozen", "Scanner not reading barcodes", "Freezer alarm at night"),
    "account": ("Cannot log in to app", "Loyalty points missing", "Password reset fails"),
    "store": ("Store wifi outage", "Shelf label printer down", "Router offline in back office"),
    "other": ("General question", "Feedback about staff", "Lost property"),
}
REOPEN_SHARE = 0.25
#: Share of seeded tickets still open: a ticket created at the start of the window is never open,
#: one created at its end twice this often, so the backlog leans to recent tickets.
OPEN_SHARE = 0.04
#: Of the open tickets, the share still waiting for a first response (the rest are in progress).
OPEN_ASSIGNED_SHARE = 0.35
#: What agents write when they resolve, per category (the live system logs it as the reason).
RESOLUTIONS = {
    "delivery": "Courier rebooked for the next slot; customer informed by phone",
    "billing": "Duplicate charge refunded to the original card; reference sent by e-mail",
    "equipment": "Device restarted remotely and firmware updated; store confirmed it works",
    "account": "Password reset link re-sent and the account unlocked after identity check",
    "store": "Network equipment power-cycled; field technician booked as a follow-up",
    "other": "Question answered and the customer pointed to the relevant help article",
}
REOPEN_REASONS = ("the problem came back", "the fix did not work", "still waiting for the refund")


@dataclass(frozen=True)
class SeedResult:
    tickets: int
    status_rows: int
    seconds: float

    @property
    def rows_per_s(self) -> float:
        return (self.tickets + self.status_rows) / self.seconds if self.seconds else 0.0


def _weighted(rng: random.Random, mix: dict[str, int], k: int) -> list[str]:
    return rng.choices(list(mix), weights=list(mix.values()), k=k)


def _agents_by_department(engine: Engine) -> dict[str, list[int]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(s.agent.c.id, s.agent.c.department)).all()
    result: dict[str, list[int]] = {}
    for agent_id, department in rows:
        result.setdefault(department, []).append(agent_id)
    if not result:
        raise RuntimeError("no agents: run `driftline refsys init` first")
    return result


def _next_ids(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        t = conn.execute(sa.select(sa.func.max(s.ticket.c.id))).scalar() or 0
        log = conn.execute(sa.select(sa.func.max(s.ticket_status_log.c.id))).scalar() or 0
    return t + 1, log + 1


def generate(
    n: int,
    *,
    routing: RoutingTable,
    agents: dict[str, list[int]],
    first_ticket_id: int,
    first_log_id: int,
    days: int,
    seed: int,
    now: datetime,
    window: tuple[datetime, datetime] | None = None,
) -> Iterator[tuple[tuple, list[tuple]]]:
    """Yield ``(ticket_row, [status_rows])``; times are naive UTC datetimes.

    Tickets are created in ``window`` (default: from ``days`` ago to two hours ago)."""
    rng = random.Random(seed)
    scale = 1.0  # recent traffic lives faster, so its whole lifecycle lies in the past
    if window is not None:
        start, end = window
        days = 1
        scale = 0.002
    else:
        end = now - timedelta(hours=2)
        start = end - timedelta(days=days)
    day_count = max(1, days)
    day_weights = [WEEKDAY_WEIGHTS[(start + timedelta(days=d)).weekday()] for d in range(day_count)]
    priorities = _weighted(rng, PRIORITY_MIX, n)
    sources = _weighted(rng, SOURCE_MIX, n)
    day_offsets = rng.choices(range(day_count), weights=day_weights, k=n)
    hours = rng.choices(range(24), weights=HOUR_WEIGHTS, k=n)
    log_id = first_log_id
    route_cache: dict[tuple, str] = {}
    for i in range(n):
        ticket_id = first_ticket_id + i
        category = CATEGORIES[rng.randrange(len(CATEGORIES))]
        region = REGIONS[rng.randrange(len(REGIONS))]
        title = TITLES[category][rng.randrange(3)]
        key = (title, sources[i], region, category)
        routed = route_cache.get(key)
        if routed is None:
            routed = route_cache[key] = routing.explain(
                title=title, description="", source=sources[i], region=region, category=category
            )
        department, rule = routed
        day = start.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(
            days=day_offsets[i]
        )
        created = day + timedelta(hours=hours[i], seconds=rng.random() * 3600)
        if window is not None:
            created = start + (end - start) * rng.random()
        elif created > end:
            created = end - timedelta(seconds=rng.random() * 86400)
        pool = agents.get(department) or next(iter(agents.values()))
        assignee = pool[rng.randrange(len(pool))]
        backup = pool[(pool.index(assignee) + 1) % len(pool)]
        t = created
        t_dispatched = t + timedelta(seconds=rng.uniform(1, 30) * scale)
        t_first = t_dispatched + timedelta(seconds=rng.expovariate(1 / 1800) * scale)
        t_resolved = t_first + timedelta(seconds=rng.expovariate(1 / 14400) * scale)
        customer = rng.randrange(1, max(2, n // 3))
        agent, dispatched = f"agent:{assignee}", f"auto-dispatched to agent {assignee}"
        # Actors and reasons as the live system writes them, so rows have production's width.
        statuses = [
            (None, "NEW", t, f"{sources[i]}:customer", f"routed by {rule}"),
            ("NEW", "ASSIGNED", t_dispatched, "dispatcher", dispatched),
            ("ASSIGNED", "IN_PROGRESS", t_first, agent, "first response"),
            ("IN_PROGRESS", "RESOLVED", t_resolved, agent, RESOLUTIONS[category]),
        ]
        reopened = rng.random() < REOPEN_SHARE
        t_last = t_resolved
        if reopened:
            r1 = t_resolved + timedelta(seconds=rng.uniform(600, 36000) * scale)
            r2 = r1 + timedelta(seconds=rng.uniform(1, 30) * scale)
            r3 = r2 + timedelta(seconds=rng.expovariate(1 / 900) * scale)
            r4 = r3 + timedelta(seconds=rng.expovariate(1 / 7200) * scale)
            statuses += [
                ("RESOLVED", "REOPENED", r1, f"customer:{customer}", rng.choice(REOPEN_REASONS)),
                ("REOPENED", "ASSIGNED", r2, "dispatcher", dispatched),
                ("ASSIGNED", "IN_PROGRESS", r3, agent, "working"),
                ("IN_PROGRESS", "RESOLVED", r4, agent, RESOLUTIONS[category]),
            ]
            t_last = r4
        t_closed = t_last + timedelta(seconds=rng.uniform(60, 86400) * scale)
        closed = t_closed < now
        if closed:
            statuses.append(("RESOLVED", "CLOSED", t_closed, f"customer:{customer}", "confirmed"))
        age = (created - start) / (end - start) if end > start else 1.0
        first_response, resolved = t_first, t_last
        if rng.random() < 2 * OPEN_SHARE * min(1.0, max(0.0, age)):
            # Still open: the history stops at the last (re)assignment or first response.
            waiting = rng.random() < OPEN_ASSIGNED_SHARE
            statuses = statuses[: (5 if reopened else 1) + (0 if waiting else 1) + 1]
            closed, resolved = False, None
            if waiting and not reopened:
                first_response = None
        ticket = (
            ticket_id,
            "P1" if reopened and priorities[i] in ("P2", "P3") else priorities[i],
            "CLOSED" if closed else statuses[-1][1],
            sources[i],
            region,
            category,
            customer,
            title,
            "",
            department,
            assignee,
            backup,
            created,
            t_dispatched,
            first_response,
            resolved,
            t_closed if closed else None,
            1 if reopened else 0,
        )
        rows = []
        for from_status, status, at, actor, reason in statuses:
            rows.append((log_id, ticket_id, from_status, status, at, actor, reason))
            log_id += 1
        yield ticket, rows


TICKET_COLUMNS = (
    "id", "priority", "status_code", "source", "region", "category", "customer_id", "title",
    "description", "department", "assignee_id", "backup_assignee_id", "created_at",
    "dispatched_at", "first_response_at", "resolved_at", "closed_at", "reopen_count",
)  # fmt: skip
LOG_COLUMNS = ("id", "ticket_id", "from_status", "status_code", "changed_at", "actor", "reason")


def _copy_value(value: object) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ") + "+00"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _copy_text(rows: list[tuple]) -> str:
    return "".join("\t".join(map(_copy_value, r)) + "\n" for r in rows)


def _prefetch(items: Iterator, depth: int = 2) -> Iterator:
    """Produce ``items`` in a background thread, so generating overlaps the database's work."""
    done = object()
    buffer: queue.Queue = queue.Queue(maxsize=depth)
    failure: list[BaseException] = []

    def produce() -> None:
        try:
            for item in items:
                buffer.put(item)
        except BaseException as exc:  # re-raised in the consumer
            failure.append(exc)
        finally:
            buffer.put(done)

    threading.Thread(target=produce, name="seed-producer", daemon=True).start()
    while (item := buffer.get()) is not done:
        yield item
    if failure:
        raise failure[0]


#: A load at least this big, and at least as big as what is there, is a bulk load: PostgreSQL
#: then builds the two tables' secondary indexes and foreign keys once at the end instead of
#: maintaining them row by row (about half the time at a million tickets).
BULK_MIN_TICKETS = 50_000


def _bulk_ddl(engine: Engine) -> tuple[list[str], list[str]]:
    """``(drop, recreate)`` DDL for the secondary indexes and foreign keys of the loaded tables.

    Only what exists now is dropped and rebuilt: seeding must neither fail on, nor quietly
    repair, an index someone dropped (that drift is what driftline exists to find)."""
    drop, create = [], []
    keep = {"isolate_from_table": False}  # else the metadata stops creating the key inline
    inspector = sa.inspect(engine)
    for table in (s.ticket_status_log, s.ticket):
        have_ix = {i["name"] for i in inspector.get_indexes(table.name)}
        have_fk = {f["name"] for f in inspector.get_foreign_keys(table.name)}
        for fk in sorted(table.foreign_key_constraints, key=lambda c: c.name):
            if fk.name not in have_fk:
                continue
            drop.append(str(sa.schema.DropConstraint(fk).compile(dialect=engine.dialect)))
            create.append(str(sa.schema.AddConstraint(fk, **keep).compile(dialect=engine.dialect)))
        for index in sorted(table.indexes, key=lambda i: i.name):
            if index.name not in have_ix:
                continue
            drop.append(str(sa.schema.DropIndex(index).compile(dialect=engine.dialect)))
            create.insert(0, str(sa.schema.CreateIndex(index).compile(dialect=engine.dialect)))
    return drop, create


def _load_postgresql(engine, batches, progress, bulk: bool = False) -> None:
    """COPY each batch; a bulk load runs in one transaction that rebuilds indexes and keys."""
    formatted = ((len(t), _copy_text(t), _copy_text(logs)) for t, logs in batches)
    drop, create = _bulk_ddl(engine) if bulk else ([], [])
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for statement in drop:
            cur.execute(statement)
        for count, tickets_text, logs_text in _prefetch(formatted):
            with cur.copy(f"COPY ticket ({', '.join(TICKET_COLUMNS)}) FROM STDIN") as cp:
                cp.write(tickets_text)
            with cur.copy(f"COPY ticket_status_log ({', '.join(LOG_COLUMNS)}) FROM STDIN") as cp:
                cp.write(logs_text)
            if not bulk:
                raw.commit()
            progress(count)
        for statement in create:
            cur.execute(statement)
        for table in ("ticket", "ticket_status_log"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
        raw.commit()
        raw.autocommit = True
        cur.execute("ANALYZE ticket")
        cur.execute("ANALYZE ticket_status_log")
    finally:
        raw.close()


def _load_generic(engine, batches, progress) -> None:
    ticket_insert = sa.insert(s.ticket)
    log_insert = sa.insert(s.ticket_status_log)
    for tickets, logs in batches:
        with engine.begin() as conn:
            conn.execute(
                ticket_insert, [dict(zip(TICKET_COLUMNS, r, strict=True)) for r in tickets]
            )
            conn.execute(log_insert, [dict(zip(LOG_COLUMNS, r, strict=True)) for r in logs])
        progress(len(tickets))
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("ANALYZE")
        else:
            conn.exec_driver_sql("ANALYZE TABLE ticket, ticket_status_log")


def seed(
    engine: Engine,
    routing: RoutingTable,
    tickets: int,
    *,
    days: int = 90,
    seed: int = 1,
    batch: int = 20_000,
    progress: Callable[[int], None] = lambda n: None,
    window: tuple[datetime, datetime] | None = None,
) -> SeedResult:
    """Add ``tickets`` historical tickets (and their status history) to an initialised database."""
    started = time.perf_counter()
    agents = _agents_by_department(engine)
    first_ticket, first_log = _next_ids(engine)
    rows = generate(
        tickets,
        routing=routing,
        agents=agents,
        first_ticket_id=first_ticket,
        first_log_id=first_log,
        days=days,
        seed=seed,
        now=utcnow(),
        window=window,
    )
    status_rows = 0

    def batches() -> Iterator[tuple[list[tuple], list[tuple]]]:
        nonlocal status_rows
        tickets_batch: list[tuple] = []
        logs_batch: list[tuple] = []
        for ticket, logs in rows:
            tickets_batch.append(ticket)
            logs_batch.extend(logs)
            if len(tickets_batch) >= batch:
                status_rows += len(logs_batch)
                yield tickets_batch, logs_batch
                tickets_batch, logs_batch = [], []
        if tickets_batch:
            status_rows += len(logs_batch)
            yield tickets_batch, logs_batch

    if engine.dialect.name == "postgresql":
        bulk = tickets >= max(BULK_MIN_TICKETS, first_ticket - 1)
        _load_postgresql(engine, batches(), progress, bulk=bulk)
    else:
        _load_generic(engine, batches(), progress)
    return SeedResult(tickets, status_rows, time.perf_counter() - started)


__all__ = ["SeedResult", "generate", "seed"]
