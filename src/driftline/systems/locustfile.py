"""Locustfile of the adapter-driven ticket journey (``driftline stress run --system NAME``).

    locust -f <this file> --system rt --host http://127.0.0.1:8093 --headless -u 10 -t 1m

See :mod:`driftline.systems.journey`; ``scenarios/system_journey.py`` is the same in the
repository.
"""

from driftline.systems.journey import SystemJourney


class TicketSystemUser(SystemJourney):
    """One customer after another, each ticket through the adapter's stages."""
