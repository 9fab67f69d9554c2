"""The ticket journey: one Locust user = one customer ticket after another, end to end.

``scenarios/ticket_journey.py`` is the locustfile that runs it; this module is importable (and
itself a valid locustfile) so an installed driftline carries it without the repository.

Each journey: create a ticket (a realistic mix of priorities, sources, regions and keywords)
→ wait for automatic dispatch → for ``--alert-share`` of tickets, do not respond and wait for
the first-response SLA alert → respond effectively (note + next action) → resolve → the
customer confirms and rates (follow-up closure) → ``--reopen-share`` reopen within the window.

Every step is a *stage* (see ``driftline.stress.stages``): correlated by ticket, with a
deadline, and a latency taken from the server's own timestamps where they exist (dispatch:
dispatched_at − created_at; alert: fired_at − due_at, the alert's lateness) or from the client
otherwise. Stage results are tracked apart from Locust's request statistics and shown in the
"Stages" tab, ``<csv prefix>_stages.csv`` and, with ``--stage-dir``, in a driftline run dir.

The defaults of the SLA options match the short windows ``driftline stress run`` configures
the reference system with; against another system pass its first-response windows.
"""

from __future__ import annotations

import contextlib
import random
import uuid
from typing import Any

from locust import FastHttpUser, between, events, task

from driftline.stress.locust_plugin import PLUGIN, add_journey_options
from driftline.stress.steps import Reply, Steps, Stopping, parse_ts

PRIORITIES = {"P0": 4, "P1": 14, "P2": 47, "P3": 35}
SOURCES = {"web_form": 55, "app": 30, "hotline": 15}
REGIONS = {"north": 22, "northeast": 10, "south": 24, "east": 18, "west": 16, "central": 10}
#: category → what customers write; the keywords steer the reference system's routing rules
#: (network, billing, store_ops, logistics, digital, general)
TOPICS = {
    "billing": ["charged twice for one order", "refund not received", "invoice shows wrong VAT"],
    "delivery": [
        "parcel two days late",
        "wrong item delivered",
        "courier left it at the wrong door",
    ],
    "store": ["POS terminal frozen at till 3", "price scanner shows old prices", "freezer alarm"],
    "account": ["cannot log in to the app", "password reset mail never arrives", "app crashes"],
    "network": ["store wifi down since morning", "router keeps rebooting", "vpn outage"],
    "product": ["item broken on arrival", "missing parts in the box", "warranty question"],
}


@events.init_command_line_parser.add_listener
def _options(parser: Any) -> None:
    parser.add_argument(
        "--alert-share",
        type=float,
        default=0.2,
        help="share of tickets left unanswered until the first-response alert",
    )
    parser.add_argument(
        "--reopen-share",
        type=float,
        default=0.1,
        help="share of closed tickets the customer reopens",
    )
    parser.add_argument(
        "--first-response-s",
        default="P0=2,P1=3,P2=4,P3=5",
        help="first-response SLA per priority on the system under test",
    )
    parser.add_argument(
        "--dispatch-deadline-s",
        type=float,
        default=10.0,
        help="automatic dispatch must happen within this many seconds",
    )
    parser.add_argument(
        "--alert-deadline-s",
        type=float,
        default=10.0,
        help="an SLA alert may fire at most this late (fired_at - due_at)",
    )
    parser.add_argument(
        "--step-deadline-s",
        type=float,
        default=5.0,
        help="deadline of create, respond, resolve, follow-up and reopen",
    )
    add_journey_options(parser)


def _sla(text: str) -> dict[str, float]:
    pairs = (item.split("=", 1) for item in text.split(",") if "=" in item)
    return {k.strip(): float(v) for k, v in pairs}


@events.init.add_listener
def _deadlines(environment: Any, **_: Any) -> None:
    opts = environment.parsed_options
    step = 1000.0 * getattr(opts, "step_deadline_s", 5.0)
    PLUGIN.deadlines_ms = {
        "create": step,
        "dispatch": 1000.0 * getattr(opts, "dispatch_deadline_s", 10.0),
        "alert": 1000.0 * getattr(opts, "alert_deadline_s", 10.0),
        "respond": step,
        "resolve": step,
        "followup": step,
        "reopen": step,
    }


def _pick(weights: dict[str, int]) -> str:
    return random.choices(list(weights), weights=list(weights.values()))[0]


class TicketJourney(FastHttpUser):
    """A customer with tickets, and the agents who handle them."""

    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.steps = Steps(self.client)
        opts = self.environment.parsed_options
        self.opts = opts
        self.sla = _sla(getattr(opts, "first_response_s", ""))
        self.tag = getattr(opts, "run_tag", "") or uuid.uuid4().hex[:8]

    @task
    def journey(self) -> None:
        with contextlib.suppress(Stopping):  # the ticket stays in flight at its stage
            self._journey()

    # -- the journey -------------------------------------------------------------------
    def _journey(self) -> None:
        s = self.steps
        s.check_stopping()
        customer = random.randint(1, max(1, self.opts.customers))
        category = random.choice(list(TOPICS))
        priority = _pick(PRIORITIES)
        ticket = self.create(customer, category, priority)
        if ticket is None:
            return
        tid = ticket["id"]
        dispatched = self.wait_dispatch(ticket)
        if random.random() < self.opts.alert_share:
            self.wait_alert(ticket)
        if dispatched is None:
            s.tracker.finished(tid, "failed", "not dispatched", stage="dispatch")
            return
        agent = dispatched["assignee_id"]
        steps = (
            ("respond", lambda: self.respond(tid, agent)),
            ("resolve", lambda: self.resolve(tid, agent)),
            ("followup", lambda: self.follow_up(tid, customer)),
        )
        for stage, step in steps:
            s.check_stopping()
            s.tracker.entering(tid, stage)
            reason = step()
            if reason:
                s.tracker.finished(tid, "failed", reason, stage=stage)
                return
        if random.random() < self.opts.reopen_share:
            s.check_stopping()
            s.tracker.entering(tid, "reopen")
            reason = self.reopen(tid, customer)
            if reason:
                s.tracker.finished(tid, "failed", reason, stage="reopen")
            else:
                s.tracker.finished(tid, "reopened")
            return
        s.tracker.finished(tid, "closed")

    def create(self, customer: int, category: str, priority: str) -> dict[str, Any] | None:
        s = self.steps
        phrase = random.choice(TOPICS[category])
        payload = {
            "priority": priority,
            "source": _pick(SOURCES),
            "region": _pick(REGIONS),
            "category": category,
            "customer_id": customer,
            "title": f"[dl-{self.tag}] {phrase}",
            "description": f"{phrase}; order {random.randint(10_000, 99_999)}, please help",
        }
        s.tracker.create_sent()
        reply = s.call("POST", "/tickets", name="POST /tickets", json=payload, expect=(201, 200))
        s.tracker.create_answered()
        if not reply.ok:
            s.failed("create", None, reply.ms, reply.reason)
            return None
        ticket = reply.body
        s.tracker.created(ticket["id"])
        s.within("create", ticket["id"], reply.ms, PLUGIN.deadlines_ms["create"])
        return ticket

    def get_ticket(self, tid: Any) -> Reply:
        return self.steps.call("GET", f"/tickets/{tid}", name="GET /tickets/[id]", expect=(200,))

    def wait_dispatch(self, ticket: dict[str, Any]) -> dict[str, Any] | None:
        """Stage ``dispatch``: dispatched_at − created_at, by the server's clock."""
        s, tid = self.steps, ticket["id"]
        deadline_ms = PLUGIN.deadlines_ms["dispatch"]
        s.tracker.entering(tid, "dispatch")
        poll, reply = s.wait_for(
            lambda: self.get_ticket(tid),
            lambda t: bool(t.get("dispatched_at")),
            deadline_ms / 1000.0,
            first_s=0.1,
        )
        if not reply.ok:
            s.failed("dispatch", tid, poll.elapsed_s * 1000.0, reply.reason)
            return None
        if not poll.done:
            s.failed("dispatch", tid, poll.elapsed_s * 1000.0, "deadline")
            return None
        t = reply.body
        latency = 1000.0 * (parse_ts(t["dispatched_at"]) - parse_ts(t["created_at"]))
        s.within("dispatch", tid, latency, deadline_ms)
        return t

    def wait_alert(self, ticket: dict[str, Any]) -> None:
        """Stage ``alert``: leave the ticket unanswered; lateness = fired_at − due_at."""
        s, tid = self.steps, ticket["id"]
        deadline_ms = PLUGIN.deadlines_ms["alert"]
        s.tracker.entering(tid, "alert")
        created = parse_ts(ticket["created_at"])
        window = self.sla.get(ticket["priority"], max(self.sla.values(), default=0.0))
        expected_due = created + window
        clock_now = s.tracker.clock
        timeout = expected_due + deadline_ms / 1000.0 - clock_now()

        def first_response_alert(alerts: list[dict[str, Any]]) -> dict[str, Any] | None:
            return next((a for a in alerts if a.get("kind") == "first_response"), None)

        poll, reply = s.wait_for(
            lambda: s.call(
                "GET", f"/tickets/{tid}/alerts", name="GET /tickets/[id]/alerts", expect=(200,)
            ),
            lambda alerts: first_response_alert(alerts) is not None,
            timeout,
            first_s=min(1.0, max(0.05, expected_due - clock_now())),
            max_interval_s=0.5,
        )
        if not reply.ok:
            s.failed("alert", tid, poll.elapsed_s * 1000.0, reply.reason)
            return
        alert = first_response_alert(reply.body)
        if alert is None:
            s.failed("alert", tid, max(0.0, clock_now() - expected_due) * 1000.0, "deadline")
            return
        lateness = 1000.0 * (parse_ts(alert["fired_at"]) - parse_ts(alert["due_at"]))
        s.within("alert", tid, lateness, deadline_ms)

    def respond(self, tid: Any, agent: Any) -> str:
        """Stage ``respond``: a note and a next action make the first response effective."""
        s = self.steps
        reply = s.call(
            "POST",
            f"/tickets/{tid}/actions",
            name="POST /tickets/[id]/actions",
            json={
                "agent_id": agent,
                "note": "Checked the order history and called the store.",
                "next_action": "Replacement shipped; confirm receipt with the customer.",
            },
        )
        if not reply.ok:
            s.failed("respond", tid, reply.ms, reply.reason)
            return reply.reason
        check = self.get_ticket(tid)
        if not check.ok or not check.body.get("first_response_at"):
            reason = check.reason or "not_effective"
            s.failed("respond", tid, reply.ms, reason)
            return reason
        s.within("respond", tid, reply.ms, PLUGIN.deadlines_ms["respond"])
        return ""

    def resolve(self, tid: Any, agent: Any) -> str:
        s = self.steps
        reply = s.call(
            "POST",
            f"/tickets/{tid}/resolve",
            name="POST /tickets/[id]/resolve",
            json={"agent_id": agent, "resolution": "Replacement delivered."},
        )
        return self._expect_status("resolve", tid, reply, "RESOLVED")

    def follow_up(self, tid: Any, customer: int) -> str:
        """Stage ``followup``: the customer confirms (double sign-off → CLOSED) and rates."""
        s = self.steps
        confirm = s.call(
            "POST",
            f"/tickets/{tid}/confirm",
            name="POST /tickets/[id]/confirm",
            json={"customer_id": customer},
        )
        if not confirm.ok:
            s.failed("followup", tid, confirm.ms, confirm.reason)
            return confirm.reason
        rate = s.call(
            "POST",
            f"/tickets/{tid}/rate",
            name="POST /tickets/[id]/rate",
            json={
                "customer_id": customer,
                "rating": random.choice([3, 4, 5, 5, 5]),
                "reason": "quick and friendly",
            },
        )
        total = Reply(rate.status, confirm.body, confirm.ms + rate.ms, rate.reason)
        return self._expect_status("followup", tid, total, "CLOSED")

    def reopen(self, tid: Any, customer: int) -> str:
        s = self.steps
        reply = s.call(
            "POST",
            f"/tickets/{tid}/reopen",
            name="POST /tickets/[id]/reopen",
            json={"customer_id": customer, "reason": "The problem came back."},
        )
        return self._expect_status("reopen", tid, reply, "REOPENED")

    def _expect_status(self, stage: str, tid: Any, reply: Reply, status: str) -> str:
        """Record ``stage`` from ``reply``; the ticket it returns must be in ``status``."""
        s = self.steps
        if not reply.ok:
            s.failed(stage, tid, reply.ms, reply.reason)
            return reply.reason
        body = reply.body if isinstance(reply.body, dict) else {}
        if body.get("status_code") != status:
            check = self.get_ticket(tid)
            if not check.ok or check.body.get("status_code") != status:
                reason = check.reason or f"status_{(check.body or {}).get('status_code')}"
                s.failed(stage, tid, reply.ms, reason)
                return reason
        s.within(stage, tid, reply.ms, PLUGIN.deadlines_ms[stage])
        return ""
