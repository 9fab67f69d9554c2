"""Nothing lost: every ticket a run created is looked up and accounted for.

A ticket is *accounted for* when it exists on the server and its state agrees with the run's
ledger: the journey closed it (server: ``CLOSED``), reopened it (server: ``reopen_count >= 1``),
failed it with a reason, or the run ended while it was in a stage (``in_flight:<stage>``).
It is *unchecked* when the lookup could not reach a system that stopped answering (its fate
is unknown, which the run reports as the target's death, not as a lost ticket).
It is *unaccounted* when the server does not know it, the lookup fails, its state contradicts
the ledger, or the server holds a ticket tagged with the run's tag that the ledger never heard
of (a create whose answer was lost). One unaccounted ticket fails the run.

What "closed" and "reopened" look like on the server is the system adapter's (``outcomes``;
the defaults are the reference system's). With a database, every ticket is looked up in one
query on the system's own tables (:func:`db_lookup`), which also works when the system under
test stopped answering; without one, a lookup that cannot connect marks the run *target down*.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

from driftline.stress.stages import IN_FLIGHT_AT_STOP, LedgerEntry
from driftline.systems.model import FieldCheck

#: (HTTP status, ticket JSON or None); raising means the lookup itself failed.
Lookup = Callable[[str], tuple[int, dict[str, Any] | None]]


@dataclass
class Reconciliation:
    created: int = 0
    accounted: int = 0
    unaccounted: list[dict[str, str]] = field(default_factory=list)
    by_outcome: dict[str, int] = field(default_factory=dict)
    create_failures: dict[str, int] = field(default_factory=dict)
    server_side_checked: bool = False
    source: str = "http"  # http | database
    target_down: bool = False  # the system under test stopped answering lookups
    #: when and how the system under test stopped, as the run saw it ("" while it answered)
    target_died: str = ""
    #: tickets no lookup could reach because the target was down: neither lost nor accounted
    unchecked: list[dict[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.unaccounted

    def to_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "accounted": self.accounted,
            "unaccounted": sorted(self.unaccounted, key=lambda u: _id_key(u["ticket_id"])),
            "by_outcome": dict(sorted(self.by_outcome.items())),
            "create_failures": dict(sorted(self.create_failures.items())),
            "server_side_checked": self.server_side_checked,
            "source": self.source,
            "target_down": self.target_down,
            "target_died": self.target_died,
            "unchecked": sorted(self.unchecked, key=lambda u: _id_key(u["ticket_id"])),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Reconciliation:
        return cls(
            created=int(data.get("created", 0)),
            accounted=int(data.get("accounted", 0)),
            unaccounted=[dict(u) for u in data.get("unaccounted", [])],
            by_outcome=dict(data.get("by_outcome", {})),
            create_failures=dict(data.get("create_failures", {})),
            server_side_checked=bool(data.get("server_side_checked", False)),
            source=str(data.get("source", "http")),
            target_down=bool(data.get("target_down", False)),
            target_died=str(data.get("target_died", "")),
            unchecked=[dict(u) for u in data.get("unchecked", [])],
        )


def _id_key(tid: str) -> tuple[int, str]:
    return (int(tid), "") if tid.isdigit() else (1 << 62, tid)


def outcome_key(entry: LedgerEntry) -> str:
    if entry.outcome in ("in_flight", "failed"):
        return f"{entry.outcome}:{entry.stage}"
    return entry.outcome


#: The reference system's outcomes (a system adapter declares its own).
REFSYS_OUTCOMES: dict[str, FieldCheck] = {
    "closed": FieldCheck("status_code", equals="CLOSED"),
    "reopened": FieldCheck("reopen_count", at_least=1),
}

#: Exceptions that mean the system under test is not answering at all.
DOWN_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError)
TARGET_DOWN = "target down"
#: ``Reconciliation.source`` of a run nothing reconciled (a plain Locust run).
NOT_CHECKED = "not checked"


def problem(
    entry: LedgerEntry,
    status: int,
    ticket: Mapping[str, Any] | None,
    outcomes: Mapping[str, FieldCheck] | None = None,
) -> str | None:
    """Why ``entry`` is unaccounted for, or None when it is accounted for."""
    if status == 404:
        return "not found on the server"
    if status != 200 or ticket is None:
        return f"lookup answered HTTP {status}"
    check = (REFSYS_OUTCOMES if outcomes is None else outcomes).get(entry.outcome)
    if check is not None and not check.holds(ticket):
        found = check.value(ticket)
        return (
            f"the run {entry.outcome} it but the server says "
            f"{check.field} {'is unset' if found in (None, '') else f'= {found}'}"
        )
    if entry.outcome == "failed" and not entry.reason:
        return "failed without a reason"
    return None


def reconcile(
    ledger: Mapping[str, LedgerEntry],
    lookup: Lookup,
    *,
    server_ids: Iterable[str] | None = None,
    create_failures: Mapping[str, int] | None = None,
    threads: int = 8,
    outcomes: Mapping[str, FieldCheck] | None = None,
    source: str = "http",
) -> Reconciliation:
    """Look every ledger ticket up (concurrently) and account for it.

    ``server_ids``: ids of tickets the server holds with the run's tag, when known (the runner
    reads them from the database); any not in the ledger is unaccounted.
    """
    result = Reconciliation(create_failures=dict(create_failures or {}), source=source)
    entries = list(ledger.values())

    def check(entry: LedgerEntry) -> tuple[LedgerEntry, str | None]:
        try:
            status, ticket = lookup(entry.ticket_id)
        except DOWN_ERRORS as exc:
            result.target_down = True
            why = f"{TARGET_DOWN}: the system under test is not answering ({type(exc).__name__})"
            return entry, why
        except Exception as exc:  # a failed lookup is itself a finding, not a crash
            return entry, f"lookup failed: {type(exc).__name__}: {exc}"
        return entry, problem(entry, status, ticket, outcomes)

    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        checked = list(pool.map(check, entries))
    for entry, why in checked:
        result.created += 1
        if why is not None and why.startswith(TARGET_DOWN):
            # nobody could ask: the ticket is not known to be lost, only not looked up
            result.unchecked.append({"ticket_id": entry.ticket_id, "reason": why})
            result.by_outcome[TARGET_DOWN] = result.by_outcome.get(TARGET_DOWN, 0) + 1
            continue
        if why is None:
            result.accounted += 1
            key = outcome_key(entry)
            result.by_outcome[key] = result.by_outcome.get(key, 0) + 1
        else:
            result.unaccounted.append({"ticket_id": entry.ticket_id, "reason": why})
            result.by_outcome["unaccounted"] = result.by_outcome.get("unaccounted", 0) + 1
    if server_ids is not None:
        result.server_side_checked = True
        # creates still waiting for their answer when the run stopped: the server may hold
        # up to that many tickets the ledger never heard of
        answers_lost = max(0, int(result.create_failures.get(IN_FLIGHT_AT_STOP, 0)))
        for tid in sorted(set(map(str, server_ids)) - set(ledger), key=_id_key):
            result.created += 1
            if answers_lost > 0:
                answers_lost -= 1
                result.accounted += 1
                key = f"in_flight:create ({IN_FLIGHT_AT_STOP})"
                result.by_outcome[key] = result.by_outcome.get(key, 0) + 1
                continue
            result.unaccounted.append(
                {"ticket_id": tid, "reason": "on the server with the run's tag, not in the ledger"}
            )
            result.by_outcome["unaccounted"] = result.by_outcome.get("unaccounted", 0) + 1
    return result


def http_lookup(client: httpx.Client, path: str = "/tickets/{id}") -> Lookup:
    """A :data:`Lookup` that asks the system's API (``path``: the adapter's ticket lookup)."""

    def lookup(ticket_id: str) -> tuple[int, dict[str, Any] | None]:
        response = client.get(path.replace("{id}", ticket_id))
        if response.status_code != 200:
            return response.status_code, None
        return 200, response.json()

    return lookup


class _Row(dict):
    """A database row whose field names match whatever case the adapter wrote them in."""

    def get(self, key: Any, default: Any = None) -> Any:
        if key in self:
            return self[key]
        return super().get(str(key).lower(), default)


def db_rows(db_url: str, sql: str, tag: str) -> dict[str, dict[str, Any]]:
    """The run's tagged tickets from the system's own tables, by id (one read-only query)."""
    import sqlalchemy as sa

    from driftline.db import make_engine, parse_url, read_only

    engine = make_engine(parse_url(db_url))
    try:
        with read_only(engine) as conn:
            result = conn.execute(sa.text(sql), {"pattern": f"[dl-{tag}]%"})
            rows = {}
            for row in result.mappings():
                item = _Row({str(k).lower(): v for k, v in row.items()})
                rows[str(item["id"])] = item
            return rows
    finally:
        engine.dispose()


def db_lookup(rows: Mapping[str, Mapping[str, Any]]) -> Lookup:
    """A :data:`Lookup` over rows read by :func:`db_rows`."""

    def lookup(ticket_id: str) -> tuple[int, dict[str, Any] | None]:
        row = rows.get(ticket_id)
        return (
            (404, None) if row is None else (200, dict(row) if not isinstance(row, _Row) else row)
        )

    return lookup
