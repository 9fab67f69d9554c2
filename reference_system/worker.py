"""A background worker: ``run_once`` every interval on a daemon thread, surviving errors.

The dispatcher and the SLA sweeper are both one; an error in a cycle (say, the database
restarting) is recorded on the worker's health and the next cycle tries again.
"""

from __future__ import annotations

import abc
import logging
import threading

from reference_system.health import WorkerHealth


class Worker(abc.ABC):
    name: str
    health: WorkerHealth
    interval_s: float
    enabled: bool
    log: logging.Logger

    def __init__(self, name: str, interval_ms: int, enabled: bool, log: logging.Logger) -> None:
        self.name = name
        self.interval_s = interval_ms / 1000
        self.enabled = enabled
        self.log = log
        self.health = WorkerHealth(enabled=enabled)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @abc.abstractmethod
    def run_once(self) -> int:
        """One cycle; returns how many items it handled."""

    def start(self) -> None:
        if not self.enabled:
            return
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception as exc:  # the worker must survive a database restart
                with self.health.lock:
                    self.health.last_error = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
                self.log.exception("%s cycle failed", self.name)
            self._stop.wait(self.interval_s)
