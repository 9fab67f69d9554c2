"""The generic ticket journey: one Locust user drives tickets through an adapter's stages.

Import it from a locustfile and subclass :class:`SystemJourney` (it is abstract, so importing
it runs nothing)::

    from driftline.systems.journey import SystemJourney

    class TicketSystemUser(SystemJourney):
        pass

Options: ``--system NAME|FILE`` (the adapter), ``--credentials-file`` (driftline's 0600 file;
a plain Locust run reads ``DRIFTLINE_TARGET_USER`` / ``DRIFTLINE_TARGET_PASSWORD`` or the
adapter's token variable instead), ``--run-tag`` and ``--customers``.

Each journey creates a ticket (titled with the run's tag), then takes every observed stage of
the adapter in order (a stage with ``share`` < 1 only for that share of tickets): a
``response`` stage times its request and, with a field check, confirms it on the ticket; a
``poll`` stage fetches the ticket until its field check holds, and takes the latency from the
client's clock or from two timestamp fields of the ticket (the server's clock); a ``query``
stage runs its SQL on the system's database (``:id`` bound to the ticket's id; the URL comes
in the credentials file, or from ``DRIFTLINE_TARGET_DB``) until a column of the first row says
the stage happened, each statement under what is left of the deadline. A failed
required stage ends the journey (ledger: failed at that stage); the journey ends ``closed``,
or with the outcome of the last stage that names one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import random
import time
import uuid
from typing import Any

from locust import FastHttpUser, between, events, task

from driftline.errors import DriftlineError
from driftline.stress.locust_plugin import PLUGIN, add_journey_options
from driftline.stress.steps import Reply, Steps, Stopping, parse_ts
from driftline.systems import credentials
from driftline.systems.dbquery import Observation, QueryFailed, SystemDatabase
from driftline.systems.load import check_database, load_system
from driftline.systems.model import DB_ENV, Request, Stage, System, field_value

#: What customers write (the title carries the run's tag before it).
PHRASES = (
    "charged twice for one order",
    "parcel two days late",
    "POS terminal frozen at till 3",
    "cannot log in to the app",
    "store wifi down since morning",
    "item broken on arrival",
)
PRIORITIES = {"P0": 4, "P1": 14, "P2": 47, "P3": 35}
#: Timestamps at or before this are "unset" (RT writes 1970-01-01 for an empty date).
UNSET_BEFORE = 86_400.0


class _State:
    system: System | None = None
    creds: credentials.Credentials = credentials.Credentials()
    database: SystemDatabase | None = None  # for query stages


STATE = _State()


@events.init_command_line_parser.add_listener
def _options(parser: Any) -> None:
    parser.add_argument(
        "--system",
        default="",
        help="driftline system adapter: a shipped name (refsys, rt) or a YAML file",
    )
    parser.add_argument(
        "--credentials-file",
        default="",
        include_in_web_ui=False,
        help="driftline: read the target's credentials from this file (else the environment)",
    )
    add_journey_options(parser)


@events.init.add_listener
def _load(environment: Any, **_: Any) -> None:
    opts = environment.parsed_options
    name = getattr(opts, "system", "") if opts is not None else ""
    if not name:
        raise SystemExit("driftline: pass --system NAME|FILE (the ticket system's adapter)")
    system = load_system(name)
    STATE.system = system
    cred_file = getattr(opts, "credentials_file", "")
    if cred_file:
        STATE.creds = credentials.read_file(cred_file)
    else:
        creds = credentials.from_env(system.auth, system=system.name)
        STATE.creds = dataclasses.replace(creds, db=os.environ.get(DB_ENV) or None)
    try:
        check_database(system, STATE.creds.db)
    except DriftlineError as exc:
        raise SystemExit(f"driftline: {exc} (a plain Locust run: set {DB_ENV})") from None
    if system.query_stages and STATE.creds.db:
        users = int(getattr(opts, "num_users", 0) or 0)
        STATE.database = SystemDatabase(STATE.creds.db, pool_size=max(2, min(users, 20)))
    PLUGIN.use_stages(system.stage_names, system.deadlines_ms, system.not_observed)
    PLUGIN.system = system.source


def render(value: Any, variables: dict[str, Any]) -> Any:
    """Fill ``{name}`` templates in strings (recursively through lists and mappings)."""
    if isinstance(value, str):
        return value.format_map(variables)
    if isinstance(value, list):
        return [render(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: render(v, variables) for k, v in value.items()}
    return value


def _bind_id(tid: str) -> int | str:
    """A ticket id as the database compares it: a number when it looks like one."""
    return int(tid) if tid.isdigit() else tid


class SystemJourney(FastHttpUser):
    """A customer with tickets, driven through the adapter's stages."""

    abstract = True
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        assert STATE.system is not None
        self.system = STATE.system
        self.steps = Steps(self.client, headers=STATE.creds.headers(self.system.auth) or None)
        opts = self.environment.parsed_options
        self.customers = max(1, int(getattr(opts, "customers", 200) or 200))
        self.tag = getattr(opts, "run_tag", "") or uuid.uuid4().hex[:8]

    @task
    def journey(self) -> None:
        with contextlib.suppress(Stopping):  # the ticket stays in flight at its stage
            self._journey()

    def _journey(self) -> None:
        s, system = self.steps, self.system
        s.check_stopping()
        phrase = random.choice(PHRASES)
        variables: dict[str, Any] = {
            "tag": self.tag,
            "phrase": phrase,
            "customer": random.randint(1, self.customers),
            "priority": random.choices(list(PRIORITIES), weights=list(PRIORITIES.values()))[0],
        }
        variables["title"] = system.title_template.format_map(variables)
        variables["description"] = f"{phrase}; order {random.randint(10_000, 99_999)}"
        tid = self._create(system.stages[0], variables)
        if tid is None:
            return
        variables["id"] = tid
        outcome = "closed"
        for stage in system.stages[1:]:
            if not stage.observed or (stage.share < 1.0 and random.random() >= stage.share):
                continue
            s.check_stopping()
            s.tracker.entering(tid, stage.name)
            reason = self._stage(stage, tid, variables)
            if reason and stage.required:
                s.tracker.finished(tid, "failed", reason, stage=stage.name)
                return
            if not reason and stage.outcome:
                outcome = stage.outcome
        s.tracker.finished(tid, outcome)

    # -- stages ------------------------------------------------------------------------
    def _create(self, stage: Stage, variables: dict[str, Any]) -> str | None:
        s, create = self.steps, self.system.create
        assert create is not None
        s.tracker.create_sent()
        reply = self._send(create, variables)
        s.tracker.create_answered()
        tid = field_value(reply.body, self.system.ticket_id_field) if reply.ok else None
        if not reply.ok or tid in (None, ""):
            s.failed(stage.name, None, reply.ms, reply.reason or "bad_response")
            return None
        tid = str(tid)
        s.tracker.created(tid)
        s.within(stage.name, tid, reply.ms, 1000.0 * stage.deadline_s)
        return tid

    def _send(self, request: Request, variables: dict[str, Any]) -> Reply:
        """One of the adapter's requests, its templates filled in (named by its template)."""
        return self.steps.call(
            request.method,
            render(request.path, variables),
            name=f"{request.method} {request.path}",
            json=render(request.json, variables),
            expect=request.expect,
        )

    def get_ticket(self, variables: dict[str, Any]) -> Reply:
        path = self.system.get_path
        return self.steps.call("GET", render(path, variables), name=f"GET {path}", expect=(200,))

    def _stage(self, stage: Stage, tid: str, variables: dict[str, Any]) -> str:
        """Run and record one stage; the failure reason, or '' when it completed."""
        s = self.steps
        deadline_ms = 1000.0 * stage.deadline_s
        ms = 0.0
        if stage.request is not None:
            reply = self._send(stage.request, variables)
            if not reply.ok:
                s.failed(stage.name, tid, reply.ms, reply.reason)
                return reply.reason
            ms = reply.ms
        if stage.observe == "response":
            if stage.check is not None:
                check = self.get_ticket(variables)
                if not check.ok or not stage.check.holds(check.body):
                    reason = check.reason or "not_effective"
                    s.failed(stage.name, tid, ms, reason)
                    return reason
            return "" if s.within(stage.name, tid, ms, deadline_ms) else "deadline"
        if stage.observe == "query":
            return self._query(stage, tid, deadline_ms)
        return self._poll(stage, tid, variables, deadline_ms)

    def _query(self, stage: Stage, tid: str, deadline_ms: float) -> str:
        """Run the stage's SQL until its check holds: the latency runs from the start of the
        first statement to the end of the one that saw it; each statement may use what is left
        of the deadline."""
        s, check, database = self.steps, stage.check, STATE.database
        assert check is not None and database is not None and stage.sql is not None
        sql, params = stage.sql, {"id": _bind_id(tid)}
        seen: list[Observation] = []

        def fetch() -> Reply:
            spent = 1000.0 * (time.monotonic() - seen[0].started) if seen else 0.0
            try:
                seen.append(database.run(sql, params, deadline_ms - spent))
            except QueryFailed as exc:
                return Reply(0, None, spent + exc.ms, exc.reason)
            return Reply(0, seen[-1].row, seen[-1].ms)

        poll, reply = s.wait_for(
            fetch,
            lambda row: row is not None and check.holds(row),
            deadline_ms / 1000.0,
            first_s=0.1,
            max_interval_s=1.0,
        )
        if not reply.ok:
            s.failed(stage.name, tid, reply.ms, reply.reason)
            return reply.reason
        ms = 1000.0 * (seen[-1].ended - seen[0].started)
        if not poll.done:
            s.failed(stage.name, tid, ms, "deadline")
            return "deadline"
        return "" if s.within(stage.name, tid, ms, deadline_ms) else "deadline"

    def _poll(self, stage: Stage, tid: str, variables: dict[str, Any], deadline_ms: float) -> str:
        s, check, latency = self.steps, stage.check, stage.latency
        assert check is not None
        started = time.time()
        first = self.get_ticket(variables)
        if not first.ok:
            s.failed(stage.name, tid, 0.0, first.reason)
            return first.reason
        timeout_s = deadline_ms / 1000.0
        start_ts = None
        if latency.source == "fields":
            start_ts = parse_ts(str(field_value(first.body, latency.start_field or "") or ""))
            if start_ts is None or start_ts <= UNSET_BEFORE:
                s.failed(stage.name, tid, 0.0, f"no_{latency.start_field}")
                return f"no_{latency.start_field}"
            timeout_s += max(0.0, start_ts - started)
        reply = first
        if not check.holds(first.body):
            poll, reply = s.wait_for(
                lambda: self.get_ticket(variables),
                check.holds,
                timeout_s,
                first_s=0.1,
                max_interval_s=1.0,
            )
            if not reply.ok:
                s.failed(stage.name, tid, poll.elapsed_s * 1000.0, reply.reason)
                return reply.reason
            if not poll.done:
                late = (time.time() - (start_ts or started)) * 1000.0
                s.failed(stage.name, tid, late, "deadline")
                return "deadline"
        if latency.source == "fields":
            end_ts = parse_ts(str(field_value(reply.body, latency.end_field or "") or ""))
            if end_ts is None or start_ts is None:
                s.failed(stage.name, tid, 0.0, f"no_{latency.end_field}")
                return f"no_{latency.end_field}"
            ms = 1000.0 * (end_ts - start_ts)
        else:
            ms = 1000.0 * (time.time() - started)
        return "" if s.within(stage.name, tid, ms, deadline_ms) else "deadline"
