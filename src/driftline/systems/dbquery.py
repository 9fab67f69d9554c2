"""Stages observed by SQL on the system's own tables (observe kind ``query``).

A :class:`SystemDatabase` runs a stage's SQL with the ticket id bound as ``:id`` and returns the
first row (column names in lower case) and how long the statement took. Every statement runs in
a read-only transaction with a statement timeout (what is left of the stage's deadline), a lock
timeout and a bounded connect: observing the system never blocks it. The drill that drops a
critical index times the same SQL through the same call, so its deadline is calibrated on
exactly what the stage measures.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from driftline.db import Timeouts, make_engine, read_only, redact
from driftline.errors import DatabaseTimeout

#: How long a query stage's statement may wait for a lock (it only reads).
LOCK_MS = 1_000


class QueryFailed(Exception):
    """The statement did not answer: ``reason`` is ``deadline`` (stopped by its timeout) or
    ``db_error``; ``ms`` is how long it ran."""

    def __init__(self, reason: str, ms: float, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason
        self.ms = ms


@dataclass(frozen=True)
class Observation:
    """The first row (None: no row), when the statement started (monotonic s) and its ms."""

    row: dict[str, Any] | None
    started: float
    ms: float

    @property
    def ended(self) -> float:
        return self.started + self.ms / 1000.0


def _is_timeout(exc: BaseException) -> bool:
    # read_only maps each driver's timeout errors (through the dialect) to DatabaseTimeout
    return isinstance(exc, DatabaseTimeout) and exc.kind == "statement"


class SystemDatabase:
    """The system's database, for query stages: a small pool of connections."""

    def __init__(self, url: str, pool_size: int = 5) -> None:
        from driftline import dialects

        self.engine = make_engine(url, **dialects.of(url).pool_options(pool_size))

    def run(self, sql: str, params: dict[str, Any], timeout_ms: float) -> Observation:
        """The first row of ``sql``; raises :class:`QueryFailed` when it cannot answer in time."""
        limit = Timeouts(statement_ms=max(1, int(timeout_ms)), lock_ms=LOCK_MS)
        started = time.monotonic()
        try:
            with read_only(self.engine, limit) as conn:
                started = time.monotonic()
                row = conn.execute(sa.text(sql), params).mappings().first()
                ms = 1000.0 * (time.monotonic() - started)
        except Exception as exc:  # a driver error, a refused connection, a timeout
            ms = 1000.0 * (time.monotonic() - started)
            reason = "deadline" if _is_timeout(exc) else "db_error"
            lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
            raise QueryFailed(reason, ms, redact(lines[0] if lines else "")) from None
        found = None if row is None else {str(k).lower(): v for k, v in row.items()}
        return Observation(found, started, ms)

    def time(self, sql: str, params: dict[str, Any], count: int, cap_ms: float) -> list[float]:
        """Milliseconds each of ``count`` runs takes (a first, warming run is not counted); a
        run stopped by ``cap_ms`` counts as ``cap_ms`` and ends the series."""
        timings: list[float] = []
        for attempt in range(count + 1):
            try:
                ms = self.run(sql, params, cap_ms).ms
            except QueryFailed as exc:
                if exc.reason != "deadline":
                    raise
                ms = float(cap_ms)
            if attempt:
                timings.append(ms)
            if ms >= cap_ms:
                break
        return timings

    def dispose(self) -> None:
        self.engine.dispose()
