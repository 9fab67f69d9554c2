"""Live state of the background workers, for /healthz."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from reference_system.database import iso, utcnow


@dataclass
class WorkerHealth:
    enabled: bool = True
    cycles: int = 0
    last_run_at: Any = None
    last_error: str | None = None
    timeouts: int = 0
    processed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def ran(self, processed: int = 0) -> None:
        with self.lock:
            self.cycles += 1
            self.processed += processed
            self.last_run_at = utcnow()

    def to_dict(self) -> dict[str, Any]:
        with self.lock:
            lag = (utcnow() - self.last_run_at).total_seconds() if self.last_run_at else None
            return {
                "enabled": self.enabled,
                "cycles": self.cycles,
                "processed": self.processed,
                "last_run_at": iso(self.last_run_at),
                "lag_s": None if lag is None else round(lag, 3),
                "last_error": self.last_error,
                "timeouts": self.timeouts,
            }
