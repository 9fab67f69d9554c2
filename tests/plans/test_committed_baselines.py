"""The committed plan baselines of the reference system stay loadable, in step with its hot
queries (captured on a 100k-ticket seed, recorded in their metadata), and pass on a healthy
reference system of another size (more sizes and dialects: ``tests/benchmarks/bench_plans.py``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from driftline.findings import Severity
from driftline.plans.capture import load_capture
from driftline.plans.check import check
from driftline.plans.queries import load_queries

ROOT = Path(__file__).parents[2]
#: Baseline file → the dialect recorded in it (MariaDB plans are read by the MySQL parser).
BASELINES = {"postgresql": "postgresql", "sqlite": "sqlite", "mariadb": "mysql"}


def baseline_path(name: str) -> Path:
    return ROOT / "baselines" / "plans" / f"refsys-{name}.yaml"


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_committed_baseline_covers_every_hot_query(name):
    baseline = load_capture(baseline_path(name))
    hot = load_queries(ROOT / "reference_system" / "hot_queries.yaml").by_name()
    assert baseline.dialect == BASELINES[name]
    assert baseline.metadata["seed.tickets"] >= 50_000
    assert set(baseline.queries) == set(hot)
    for query_name, query in hot.items():
        recorded = baseline.queries[query_name]
        assert recorded.query.sql == query.sql, f"{query_name}: recapture after changing its SQL"
        assert query.expect.must_use_index in recorded.plans[0].index_names()


def seed_reference(url: str, tickets: int) -> None:
    from driftline.db import make_engine
    from reference_system.bootstrap import init_database
    from reference_system.config import load_config
    from reference_system.routing import load_routing
    from reference_system.seed import seed

    engine = make_engine(url)
    try:
        config = load_config(None)
        init_database(engine, config)
        seed(engine, load_routing(config.routing_file), tickets, days=90, seed=1)
    finally:
        engine.dispose()


def test_postgresql_baseline_passes_a_healthy_50k_system(pg_url):
    seed_reference(pg_url, 50_000)
    result = check(pg_url, baseline_path("postgresql"), ci=True)
    assert [f for f in result.findings if f.severity >= Severity.WARNING] == []
