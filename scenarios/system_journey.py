"""Locust scenario for any ticket system with a driftline adapter (``--system NAME|FILE``).

    export DRIFTLINE_TARGET_USER=driftline DRIFTLINE_TARGET_PASSWORD=...     # basic auth
    locust -f scenarios/system_journey.py --system rt --host http://127.0.0.1:8093 \\
        --headless -u 10 -t 1m --stage-dir runs/rt-plain
    driftline report runs/rt-plain && driftline stress judge runs/rt-plain

    driftline stress run --system rt --target http://127.0.0.1:8093   # the same, judged

The journey (create, then every stage the adapter observes, in its order) is
``driftline.systems.journey``; stages the system lacks are recorded as *not observed*.
"""

from driftline.systems.journey import SystemJourney


class TicketSystemUser(SystemJourney):
    """One customer after another, each ticket through the adapter's stages."""
