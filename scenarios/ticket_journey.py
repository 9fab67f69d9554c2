"""Locust scenario: 100 customers drive tickets through the whole journey, stage by stage.

    locust -f scenarios/ticket_journey.py --host http://127.0.0.1:8123            # web UI
    locust -f scenarios/ticket_journey.py --host http://127.0.0.1:8123 --headless -u 100 -t 2m
    driftline stress run        # starts the reference system, runs this file, judges the stages

Across machines, Locust's own distribution works unchanged: ``--master`` on one machine,
``locust -f scenarios/ticket_journey.py --worker --master-host MASTER`` on the others; workers
ship their stage histograms, samples and ticket ledger to the master with every report.

Each journey: create a ticket (a realistic mix of priorities, sources, regions and keywords)
→ wait for automatic dispatch → for ``--alert-share`` of tickets (0.2), do not respond and wait
for the first-response SLA alert → respond effectively (note + next action) → resolve → the
customer confirms and rates (follow-up closure) → ``--reopen-share`` (0.1) reopen.

Stages (create, dispatch, alert, respond, resolve, followup, reopen) are measured apart from
Locust's request statistics: see the "Stages" tab in the web UI, ``<--csv prefix>_stages.csv``,
and with ``--stage-dir DIR`` the histograms, raw samples and ticket ledger. Options:
``--alert-share``, ``--reopen-share``, ``--first-response-s P0=2,P1=3,P2=4,P3=5`` (the system's
first-response SLA windows; the defaults match ``driftline stress run``'s reference system),
``--dispatch-deadline-s``, ``--alert-deadline-s``, ``--step-deadline-s``, ``--customers``.

The journey itself (the mix, the steps, each stage's latency source) is
``driftline.stress.journey``; to change it, subclass ``TicketJourney`` here.
"""

from driftline.stress.journey import TicketJourney

__all__ = ["TicketJourney"]
