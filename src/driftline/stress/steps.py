"""Helpers for writing journey steps in a locustfile: timed calls, stop-aware polling, stages.

A :class:`Steps` wraps a Locust HTTP client and the process's stage tracker. :meth:`Steps.call`
sends one request (it shows in Locust's request statistics like any other) and returns a
:class:`Reply` whose ``reason`` is the stage failure reason when the call failed
(``http_500``, ``not_found``, ``connection``…). :meth:`Steps.wait_for` polls adaptively and
raises :class:`Stopping` as soon as the test stops, so a step never holds up the end of a run:
the ticket then stays ``in_flight`` at its stage in the ledger.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from driftline.stress.locust_plugin import PLUGIN, Plugin
from driftline.stress.stages import PollResult, parse_ts, poll_until

__all__ = ["Reply", "Steps", "Stopping", "failure_reason", "parse_ts"]


class Stopping(Exception):
    """The test is stopping: end the journey now, leaving the ticket in flight."""


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    ms: float
    reason: str = ""

    @property
    def ok(self) -> bool:
        return not self.reason


def failure_reason(status: int) -> str:
    if status == 0:
        return "connection"
    if status == 404:
        return "not_found"
    return f"http_{status}"


class Steps:
    """Timed HTTP calls and stage recording for one user's journeys."""

    def __init__(
        self, client: Any, plugin: Plugin = PLUGIN, headers: dict[str, str] | None = None
    ) -> None:
        self.client = client
        self.plugin = plugin
        self.headers = headers  # sent with every call (e.g. the system's authentication)

    @property
    def tracker(self):  # the tracker is replaced on init; always read it through the plugin
        return self.plugin.tracker

    def check_stopping(self) -> None:
        if self.plugin.stopping.is_set():
            raise Stopping()

    def call(
        self,
        method: str,
        path: str,
        *,
        name: str,
        json: Any = None,
        expect: tuple[int, ...] = (200, 201),
    ) -> Reply:
        """One request; non-``expect`` answers are Locust failures and carry a reason."""
        start = time.perf_counter()
        with self.client.request(
            method, path, name=name, json=json, headers=self.headers, catch_response=True
        ) as response:
            ms = (time.perf_counter() - start) * 1000.0
            status = int(response.status_code or 0)
            if status not in expect:
                text = (response.text or "")[:200] if status else str(response.error)
                response.failure(f"HTTP {status}: {text}")
                return Reply(status, None, ms, failure_reason(status))
            try:
                body = response.json()
            except Exception:
                response.failure("answer is not JSON")
                return Reply(status, None, ms, "bad_response")
            response.success()
            return Reply(status, body, ms)

    def wait_for(
        self,
        fetch: Callable[[], Reply],
        accept: Callable[[Any], bool],
        timeout_s: float,
        *,
        first_s: float = 0.05,
        max_interval_s: float = 1.0,
    ) -> tuple[PollResult, Reply]:
        """Poll ``fetch`` until ``accept(reply.body)``, a failed reply, or ``timeout_s``.

        Returns the poll result and the last reply (``reply.reason`` set when a poll failed).
        """
        last: list[Reply] = []

        def fetch_body() -> Reply:
            self.check_stopping()
            reply = fetch()
            last.append(reply)
            return reply

        def done(reply: Reply) -> bool:
            return not reply.ok or bool(accept(reply.body))

        def sleep(seconds: float) -> None:
            if self.plugin.stopping.wait(seconds):
                raise Stopping()

        result = poll_until(
            fetch_body,
            done,
            max(0.0, timeout_s),
            sleep=sleep,
            first_s=first_s,
            max_interval_s=max_interval_s,
        )
        return result, last[-1]

    # -- stage recording shortcuts ---------------------------------------------------------
    def passed(self, stage: str, ticket_id: Any, latency_ms: float) -> None:
        self.tracker.record(stage, ticket_id, latency_ms, True)

    def failed(self, stage: str, ticket_id: Any, latency_ms: float, reason: str) -> None:
        self.tracker.record(stage, ticket_id, latency_ms, False, reason)

    def within(self, stage: str, ticket_id: Any, latency_ms: float, deadline_ms: float) -> bool:
        """Record a completed stage: ok within its deadline, a ``deadline`` failure past it."""
        if latency_ms <= deadline_ms:
            self.passed(stage, ticket_id, latency_ms)
            return True
        self.failed(stage, ticket_id, latency_ms, "deadline")
        return False
