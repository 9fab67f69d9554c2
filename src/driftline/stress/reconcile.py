"""Nothing lost: every ticket a run created is looked up and accounted for.

A ticket is *accounted for* when it exists on the server and its state agrees with the run's
ledger: the journey closed it (server: ``CLOSED``), reopened it (server: ``reopen_count >= 1``),
failed it with a reason, or the run ended while it was in a stage (``in_flight:<stage>``).
It is *unaccounted* when the server does not know it, the lookup fails, its state contradicts
the ledger, or the server holds a ticket tagged with the run's tag that the ledger never heard
of (a create whose answer was lost). One unaccounted ticket fails the run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

from driftline.stress.stages import LedgerEntry

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
        )


def _id_key(tid: str) -> tuple[int, str]:
    return (int(tid), "") if tid.isdigit() else (1 << 62, tid)


def outcome_key(entry: LedgerEntry) -> str:
    if entry.outcome in ("in_flight", "failed"):
        return f"{entry.outcome}:{entry.stage}"
    return entry.outcome


def problem(entry: LedgerEntry, status: int, ticket: Mapping[str, Any] | None) -> str | None:
    """Why ``entry`` is unaccounted for, or None when it is accounted for."""
    if status == 404:
        return "not found on the server"
    if status != 200 or ticket is None:
        return f"lookup answered HTTP {status}"
    server_status = str(ticket.get("status_code", ""))
    if entry.outcome == "closed" and server_status != "CLOSED":
        return f"the run closed it but the server says {server_status or 'nothing'}"
    if entry.outcome == "reopened" and int(ticket.get("reopen_count") or 0) < 1:
        return f"the run reopened it but reopen_count is {ticket.get('reopen_count')}"
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
) -> Reconciliation:
    """Look every ledger ticket up (concurrently) and account for it.

    ``server_ids``: ids of tickets the server holds with the run's tag, when known (the runner
    reads them from the database); any not in the ledger is unaccounted.
    """
    result = Reconciliation(create_failures=dict(create_failures or {}))
    entries = list(ledger.values())

    def check(entry: LedgerEntry) -> tuple[LedgerEntry, str | None]:
        try:
            status, ticket = lookup(entry.ticket_id)
        except Exception as exc:  # a failed lookup is itself a finding, not a crash
            return entry, f"lookup failed: {type(exc).__name__}: {exc}"
        return entry, problem(entry, status, ticket)

    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        checked = list(pool.map(check, entries))
    for entry, why in checked:
        result.created += 1
        if why is None:
            result.accounted += 1
            key = outcome_key(entry)
            result.by_outcome[key] = result.by_outcome.get(key, 0) + 1
        else:
            result.unaccounted.append({"ticket_id": entry.ticket_id, "reason": why})
            result.by_outcome["unaccounted"] = result.by_outcome.get("unaccounted", 0) + 1
    if server_ids is not None:
        result.server_side_checked = True
        for tid in sorted(set(map(str, server_ids)) - set(ledger), key=_id_key):
            result.created += 1
            result.unaccounted.append(
                {"ticket_id": tid, "reason": "on the server with the run's tag, not in the ledger"}
            )
            result.by_outcome["unaccounted"] = result.by_outcome.get("unaccounted", 0) + 1
    return result


def http_lookup(client: httpx.Client) -> Lookup:
    """A :data:`Lookup` that asks the system's API: ``GET /tickets/{id}``."""

    def lookup(ticket_id: str) -> tuple[int, dict[str, Any] | None]:
        response = client.get(f"/tickets/{ticket_id}")
        if response.status_code != 200:
            return response.status_code, None
        return 200, response.json()

    return lookup
