"""Stages: the first-class measurements of a ticket journey, recorded inside a locustfile.

A stage sample is keyed by its ticket (the correlation key), carries a latency in ms (from the
server's own timestamps where they exist, from the client clock otherwise) and is either ok or
failed with a reason (``deadline``, ``http_500``, ``not_found``, ``not_effective`` …). A stage
that misses its deadline is recorded as a failure, never left out.

Samples never go through Locust's request statistics (they would inflate requests/s and the
failure ratio). A :class:`StageTracker` keeps them apart, in three shapes:

- time-sliced, mergeable histograms (:mod:`driftline.stress.histogram`),
- raw samples (one row each, for ``samples.csv.gz``),
- the ticket ledger: each created ticket's last stage and outcome, for reconciliation.

Everything recorded goes to *pending*; :meth:`StageTracker.collect` takes it out as a plain,
JSON-ready payload (what a Locust worker ships to the master) and :meth:`StageTracker.absorb`
folds a payload into the totals (on the master, or on a standalone process from itself).
This module is pure Python: no gevent, no Locust; it is cheap to import anywhere.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from driftline.stress.histogram import StageHistograms

#: Stage names in journey order of the reference system (other systems' adapters name their own).
STAGE_ORDER: tuple[str, ...] = (
    "create",
    "dispatch",
    "alert",
    "respond",
    "resolve",
    "followup",
    "reopen",
)

#: Ledger outcomes. ``in_flight`` means the run ended while the ticket was in ``stage``.
OUTCOMES = ("in_flight", "closed", "reopened", "failed")

#: ``create_failures`` key: creates still waiting for their answer when the run stopped.
IN_FLIGHT_AT_STOP = "in_flight_at_stop"

#: Reasons that are a missed deadline rather than an error of the system under test.
DEADLINE_REASONS = frozenset({"deadline"})

T = TypeVar("T")


@dataclass
class Sample:
    """One stage result: ``t`` is seconds since the run's epoch."""

    ticket_id: str
    stage: str
    t: float
    latency_ms: float
    ok: bool
    reason: str = ""
    worker: str = ""

    def row(self) -> list[Any]:
        return [
            self.ticket_id,
            self.stage,
            round(self.t, 3),
            round(self.latency_ms, 3),
            1 if self.ok else 0,
            self.reason,
            self.worker,
        ]

    @classmethod
    def from_row(cls, row: list[Any]) -> Sample:
        ticket_id, stage, t, latency, ok, reason, *rest = row
        return cls(
            str(ticket_id),
            str(stage),
            float(t),
            float(latency),
            bool(int(ok)),
            str(reason or ""),
            str(rest[0]) if rest else "",
        )


@dataclass
class LedgerEntry:
    """What the run knows about one ticket it created."""

    ticket_id: str
    created_t: float
    stage: str = "create"
    outcome: str = "in_flight"
    reason: str = ""
    worker: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "ticket_id": self.ticket_id,
            "created_t": round(self.created_t, 3),
            "stage": self.stage,
            "outcome": self.outcome,
            "reason": self.reason,
            "worker": self.worker,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LedgerEntry:
        return cls(
            ticket_id=str(data["ticket_id"]),
            created_t=float(data.get("created_t", 0.0)),
            stage=str(data.get("stage", "create")),
            outcome=str(data.get("outcome", "in_flight")),
            reason=str(data.get("reason", "")),
            worker=str(data.get("worker", "")),
        )


@dataclass
class StageTracker:
    """Records stage samples and ticket outcomes for one process; merges payloads of others."""

    epoch: float | None = None  # None: now
    slice_s: float = 5.0
    stage_order: tuple[str, ...] = STAGE_ORDER  # the system's stages, in journey order
    worker: str = "local"
    clock: Callable[[], float] = time.time
    pending_hist: StageHistograms = field(init=False)
    pending_samples: list[list[Any]] = field(default_factory=list)
    pending_ledger: dict[str, dict[str, Any]] = field(default_factory=dict)
    hist: StageHistograms = field(init=False)
    samples: list[Sample] = field(default_factory=list)
    ledger: dict[str, LedgerEntry] = field(default_factory=dict)
    create_failures: dict[str, int] = field(default_factory=dict)
    _pending_create_failures: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.pending_hist = StageHistograms(slice_s=self.slice_s)
        self.hist = StageHistograms(slice_s=self.slice_s)
        self._stages = frozenset(self.stage_order)
        if self.epoch is None:
            self.epoch = self.clock()

    def set_stage_order(self, stage_order: tuple[str, ...]) -> None:
        """The system's stages (from its adapter), in journey order."""
        self.stage_order = tuple(stage_order)
        self._stages = frozenset(self.stage_order)

    # -- recording (inside the journey) ---------------------------------------------------
    def now(self) -> float:
        """Seconds since the run's epoch."""
        return self.clock() - (self.epoch or 0.0)

    def record(
        self,
        stage: str,
        ticket_id: str | int | None,
        latency_ms: float,
        ok: bool = True,
        reason: str = "",
    ) -> None:
        """One stage result. A failure needs a reason; latency is clamped at 0."""
        if stage not in self._stages:
            raise ValueError(f"unknown stage {stage!r} (stages: {', '.join(self.stage_order)})")
        if not ok and not reason:
            raise ValueError("a failed stage sample needs a reason")
        latency_ms = max(0.0, float(latency_ms)) if math.isfinite(latency_ms) else 0.0
        t = self.now()
        self.pending_hist.record(stage, t, latency_ms, ok)
        tid = "" if ticket_id is None else str(ticket_id)
        self.pending_samples.append(
            [tid, stage, round(t, 3), round(latency_ms, 3), int(ok), reason, self.worker]
        )
        if tid:
            self._touch(tid, stage=stage)
        elif stage == "create" and not ok:
            self._pending_create_failures[reason] = self._pending_create_failures.get(reason, 0) + 1

    def create_sent(self) -> None:
        """A create request is on its way; until :meth:`create_answered`, a ticket the server
        may hold without the ledger knowing it (its answer is lost if the run stops now)."""
        self._count_create(IN_FLIGHT_AT_STOP, 1)

    def create_answered(self) -> None:
        self._count_create(IN_FLIGHT_AT_STOP, -1)

    def _count_create(self, reason: str, n: int) -> None:
        self._pending_create_failures[reason] = self._pending_create_failures.get(reason, 0) + n

    def created(self, ticket_id: str | int) -> None:
        """A ticket exists: put it in the ledger (before anything else can go wrong)."""
        tid = str(ticket_id)
        self.pending_ledger[tid] = {
            "ticket_id": tid,
            "created_t": round(self.now(), 3),
            "stage": "create",
            "outcome": "in_flight",
            "reason": "",
            "worker": self.worker,
        }

    def entering(self, ticket_id: str | int, stage: str) -> None:
        """The journey of ``ticket_id`` is now waiting in ``stage``."""
        self._touch(str(ticket_id), stage=stage)

    def finished(
        self, ticket_id: str | int, outcome: str, reason: str = "", stage: str | None = None
    ) -> None:
        """The journey of ``ticket_id`` ended: ``closed``, ``reopened`` or ``failed`` (with a
        reason, and the ``stage`` that failed it). A failed stage alone does not end a journey."""
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        changes = {"outcome": outcome, "reason": reason}
        if stage is not None:
            changes["stage"] = stage
        self._touch(str(ticket_id), **changes)

    def _touch(self, tid: str, **changes: Any) -> None:
        self.pending_ledger.setdefault(tid, {"ticket_id": tid}).update(changes)

    # -- shipping (worker → master) -------------------------------------------------------
    def collect(self) -> dict[str, Any]:
        """Take everything pending as a JSON-ready payload and start a new pending period."""
        payload = {
            "worker": self.worker,
            "histograms": self.pending_hist.to_dict(),
            "samples": self.pending_samples,
            "ledger": list(self.pending_ledger.values()),
            "create_failures": self._pending_create_failures,
        }
        self.pending_hist = StageHistograms(slice_s=self.slice_s)
        self.pending_samples = []
        self.pending_ledger = {}
        self._pending_create_failures = {}
        return payload

    def absorb(self, payload: dict[str, Any]) -> None:
        """Fold a payload from :meth:`collect` (of this or another process) into the totals."""
        self.hist.merge(StageHistograms.from_dict(payload.get("histograms", {})))
        self.samples.extend(Sample.from_row(row) for row in payload.get("samples", []))
        for item in payload.get("ledger", []):
            tid = str(item["ticket_id"])
            entry = self.ledger.get(tid)
            if entry is None:
                entry = self.ledger[tid] = LedgerEntry(
                    ticket_id=tid, created_t=float(item.get("created_t", 0.0))
                )
            if "created_t" in item:
                entry.created_t = float(item["created_t"])
            for key in ("stage", "outcome", "reason", "worker"):
                if key in item:
                    setattr(entry, key, str(item[key]))
        for reason, n in payload.get("create_failures", {}).items():
            total = self.create_failures.get(reason, 0) + int(n)
            if total:
                self.create_failures[reason] = total
            else:
                self.create_failures.pop(reason, None)

    def absorb_own(self) -> None:
        """Standalone (not distributed) processes: move pending into the totals."""
        self.absorb(self.collect())


def parse_ts(value: str | None) -> float | None:
    """Epoch seconds of an ISO-8601 timestamp (``Z``, an offset, or naive = UTC)."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


@dataclass(frozen=True)
class PollResult:
    """What :func:`poll_until` saw: the last value, whether it was accepted, and when."""

    value: Any
    done: bool
    elapsed_s: float
    polls: int


def poll_until(
    fetch: Callable[[], T],
    accept: Callable[[T], bool],
    timeout_s: float,
    *,
    sleep: Callable[[float], Any],
    clock: Callable[[], float] = time.monotonic,
    first_s: float = 0.05,
    factor: float = 1.6,
    max_interval_s: float = 1.0,
) -> PollResult:
    """Call ``fetch`` until ``accept`` says yes or ``timeout_s`` passes; adaptive intervals.

    Intervals start at ``first_s`` and grow by ``factor`` up to ``max_interval_s`` (never past
    the deadline), so fast stages are seen quickly and slow ones do not flood the server.
    ``fetch`` may raise; the exception propagates (the caller turns it into a failure reason).
    """
    start = clock()
    deadline = start + timeout_s
    interval = first_s
    polls = 0
    while True:
        value = fetch()
        polls += 1
        now = clock()
        if accept(value):
            return PollResult(value, True, now - start, polls)
        if now >= deadline:
            return PollResult(value, False, now - start, polls)
        sleep(min(interval, max(0.0, deadline - now)))
        interval = min(interval * factor, max_interval_s)
