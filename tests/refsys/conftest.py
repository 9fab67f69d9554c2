"""Fixtures for the reference system: an initialised database per test, fast windows."""

from __future__ import annotations

import pytest

from reference_system.bootstrap import init_database
from reference_system.config import load_config
from reference_system.database import make_engine
from reference_system.routing import load_routing

FAST = {
    "dispatch": {"interval_ms": 50, "lookback_s": 3600},
    "sweeper": {"interval_ms": 50},
    "sla": {
        "P0": {"first_response_s": 1, "resolution_s": 2},
        "P1": {"first_response_s": 1, "resolution_s": 2},
        "P2": {"first_response_s": 1, "resolution_s": 2},
        "P3": {"first_response_s": 1, "resolution_s": 2},
        "escalation_s": 1,
    },
}


@pytest.fixture
def config():
    return load_config(overrides=FAST)


@pytest.fixture
def routing(config):
    return load_routing(config.routing_file)


def _initialised(url, config):
    engine = make_engine(url)
    init_database(engine, config)
    return engine


@pytest.fixture
def sqlite_engine(sqlite_url, config):
    engine = _initialised(sqlite_url, config)
    yield engine
    engine.dispose()


@pytest.fixture
def pg_engine(pg_url, config):
    engine = _initialised(pg_url, config)
    yield engine
    engine.dispose()


@pytest.fixture
def mysql_engine(mysql_url, config):
    engine = _initialised(mysql_url, config)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, config):
    """An initialised reference database on SQLite, then PostgreSQL."""
    fixture = "sqlite_url" if request.param == "sqlite" else "pg_url"
    url = request.getfixturevalue(fixture)
    engine = _initialised(url, config)
    yield engine
    engine.dispose()


NEW_TICKET = {
    "priority": "P2",
    "source": "web_form",
    "region": "south",
    "category": "delivery",
    "customer_id": 7,
    "title": "Delivery late for order 1182",
    "description": "courier did not arrive",
}
