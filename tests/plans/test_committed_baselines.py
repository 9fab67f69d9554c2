"""The committed plan baselines of the reference system stay loadable and in step with its
hot queries (captured on a 100k-ticket seed, recorded in their metadata)."""

from __future__ import annotations

from pathlib import Path

import pytest

from driftline.plans.capture import load_capture
from driftline.plans.queries import load_queries

ROOT = Path(__file__).parents[2]


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_committed_baseline_covers_every_hot_query(dialect):
    baseline = load_capture(ROOT / "baselines" / "plans" / f"refsys-{dialect}.yaml")
    hot = load_queries(ROOT / "reference_system" / "hot_queries.yaml").by_name()
    assert baseline.dialect == dialect
    assert baseline.metadata["seed.tickets"] >= 50_000
    assert set(baseline.queries) == set(hot)
    for name, query in hot.items():
        recorded = baseline.queries[name]
        assert recorded.query.sql == query.sql, f"{name}: recapture after changing its SQL"
        assert query.expect.must_use_index in recorded.plans[0].index_names()
