"""The dispatcher's pickup deadline for a drill, measured on the machine the drill runs on.

A deadline is a wall-clock limit, and on a busy machine every query takes longer: a fixed number
of milliseconds that separates the indexed pickup from a full scan on a quiet machine times out
the healthy pickup on a loaded one (and the drill then blames a restored system). So the drill
times the pickup as the dispatcher runs it, healthy and (for a fault that slows it) faulty, at
the load of the moment. A single healthy pickup that times out raises an alert (alert mode),
and a single faulty one that finishes dispatches the whole waiting queue (skip mode), so both
sides need room. They are not timed alike, though: both are timed on an idle database, and under
the stress load a healthy pickup gets slower (closer to the deadline) while a faulty one only gets
slower still (further past it). So the deadline sits two thirds of the way from the slowest
healthy to the fastest faulty pickup on a log scale, healthy^(1/3) x faulty^(2/3): the healthy
pickup gets the square of the faulty one's room (without a faulty figure, 5x the slowest healthy
one). The volume's default deadline is the floor.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import timedelta

#: Healthy pickups timed (the deadline uses the slowest), and faulty ones (the fastest).
HEALTHY_SAMPLES = 15
FAULTY_SAMPLES = 5
#: Without a faulty measurement, the deadline leaves the healthy pickup this much room.
HEALTHY_ROOM = 5.0
#: A faulty pickup is timed for at most this long (slower is plenty slow).
CAP_MS = 30_000


@dataclass(frozen=True)
class PickupDeadline:
    """The chosen deadline and the figures it came from."""

    ms: int
    floor_ms: int
    healthy_ms: float
    faulty_ms: float | None = None
    subject: str = "pickup"  # what was timed

    @property
    def note(self) -> str:
        what = self.subject
        text = f"{what} deadline {self.ms} ms: healthy {what} at most {self.healthy_ms:.1f} ms"
        if self.faulty_ms is not None:
            text += f", under the fault at least {self.faulty_ms:.0f} ms"
        text += f" (measured at this machine's load; floor {self.floor_ms} ms)"
        if self.faulty_ms is not None and self.faulty_ms < 4 * self.healthy_ms:
            text += f"; the fault barely slows the {what} here, so detection is not assured"
        return text


def time_pickups(db_url: str, count: int) -> list[float]:
    """Milliseconds each of ``count`` dispatcher pickups takes now, on one warm connection (as
    the dispatcher's pooled one is), each in a transaction that is rolled back."""
    from reference_system.config import load_config
    from reference_system.database import make_engine, utcnow
    from reference_system.dispatcher import pickup_sql
    from reference_system.timeouts import QueryTimeout, fetch_with_timeout

    cfg = load_config().dispatch
    engine = make_engine(db_url, pool_size=1)
    timings: list[float] = []
    try:
        with engine.connect() as conn:
            sql = pickup_sql(conn.dialect.name)
            for attempt in range(count + 1):
                since = utcnow() - timedelta(seconds=cfg.lookback_s)
                params = {"since": since, "batch": cfg.batch_size}
                with conn.begin() as tx:
                    started = time.perf_counter()
                    try:
                        fetch_with_timeout(conn, sql, params, CAP_MS)
                        elapsed = 1000.0 * (time.perf_counter() - started)
                    except QueryTimeout:
                        elapsed = float(CAP_MS)
                    tx.rollback()
                if attempt:  # the first one warms the connection's caches
                    timings.append(elapsed)
                if elapsed >= CAP_MS:
                    break
    finally:
        engine.dispose()
    return timings


def healthy_max(db_url: str) -> float:
    return max(time_pickups(db_url, HEALTHY_SAMPLES))


def faulty_min(db_url: str) -> float:
    return min(time_pickups(db_url, FAULTY_SAMPLES), default=float(CAP_MS))


def choose(
    floor_ms: int, healthy_ms: float, faulty_ms: float | None, subject: str = "pickup"
) -> PickupDeadline:
    """healthy^(1/3) x faulty^(2/3) (or healthy x HEALTHY_ROOM), at least the floor."""
    wanted = healthy_ms * HEALTHY_ROOM
    if faulty_ms is not None:
        wanted = max(healthy_ms, 0.01) ** (1 / 3) * max(faulty_ms, 0.01) ** (2 / 3)
    ms = max(floor_ms, math.ceil(wanted))
    return PickupDeadline(ms, floor_ms, healthy_ms, faulty_ms, subject)


__all__ = ["PickupDeadline", "choose", "faulty_min", "healthy_max", "time_pickups"]
