"""The histogram's bucket maths, quantile accuracy, merging and round trip."""

from __future__ import annotations

import json
import random

import pytest

from driftline.stress.histogram import (
    BUCKET_COUNT,
    Histogram,
    SlicedHistogram,
    StageHistograms,
    bucket_bounds,
    bucket_of,
)


@pytest.mark.parametrize("ms", [0.0, 0.4, 1.0, 1.5, 17.0, 250.0, 4999.0, 60_000.0])
def test_value_lies_in_its_bucket(ms):
    low, high = bucket_bounds(bucket_of(ms))
    assert low <= ms < high


def test_huge_values_land_in_last_bucket():
    assert bucket_of(1e12) == BUCKET_COUNT - 1


def test_quantiles_within_ten_percent_of_exact():
    rng = random.Random(7)
    values = [rng.lognormvariate(4, 1) for _ in range(20_000)]
    hist = Histogram()
    for v in values:
        hist.record(v)
    ordered = sorted(values)
    for q in (0.5, 0.95, 0.99):
        exact = ordered[int(q * len(ordered)) - 1]
        assert hist.quantile(q) == pytest.approx(exact, rel=0.10)
    assert hist.quantile(1.0) <= max(values)


def test_merge_equals_recording_everything_in_one():
    rng = random.Random(3)
    a, b, both = StageHistograms(), StageHistograms(), StageHistograms()
    for i in range(2000):
        stage = rng.choice(["create", "dispatch"])
        t, ms, ok = rng.uniform(0, 60), rng.uniform(1, 900), rng.random() > 0.05
        (a if i % 2 else b).record(stage, t, ms, ok)
        both.record(stage, t, ms, ok)
    merged = StageHistograms().merge(a).merge(b)
    assert merged.to_dict() == both.to_dict()


def test_round_trip_through_json():
    hists = StageHistograms(slice_s=2.0)
    hists.record("dispatch", 0.5, 120.0)
    hists.record("dispatch", 4.1, 3000.0, ok=False)
    data = json.loads(json.dumps(hists.to_dict()))
    again = StageHistograms.from_dict(data)
    assert again.to_dict() == hists.to_dict()
    total = again.stages["dispatch"].total()
    assert (total.count, total.errors) == (2, 1)
    assert sorted(i for i, _ in again.stages["dispatch"]) == [0, 2]


def test_slices_of_different_width_do_not_merge():
    with pytest.raises(ValueError):
        SlicedHistogram(5.0).merge(SlicedHistogram(2.0))


def test_empty_histogram_has_no_quantile():
    assert Histogram().quantile(0.95) is None
    assert Histogram().error_rate == 0.0
