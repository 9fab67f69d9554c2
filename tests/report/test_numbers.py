"""The grids and the named bottleneck are numbers: checked without drawing anything."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from driftline.report import build_report, find_bottleneck, stage_time_grid, week_hour_grid
from driftline.report.bottleneck import backlog_grows
from driftline.report.heatmap import columns_for, latency_grid
from driftline.stress.histogram import StageHistograms
from tests.report.synthetic import DEADLINES_MS, STAGES, make_run


def _steady(stage: str, hists: StageHistograms, ms: float, slices: int = 30, n: int = 20) -> None:
    for i in range(slices):
        for _ in range(n):
            hists.record(stage, i * hists.slice_s, ms)


def _growing(stage: str, hists: StageHistograms, start: float, end: float, slices: int = 30):
    for i in range(slices):
        ms = start + (end - start) * i / (slices - 1)
        for _ in range(20):
            hists.record(stage, i * hists.slice_s, ms, ok=ms <= 5000)


def test_stage_grid_is_p95_over_deadline_with_error_overlay():
    hists = StageHistograms(slice_s=5.0)
    for _ in range(90):
        hists.record("dispatch", 1.0, 500.0)
    for _ in range(10):
        hists.record("dispatch", 1.0, 3000.0, ok=False)
    for _ in range(10):
        hists.record("create", 12.0, 50.0)
    grid = stage_time_grid(hists, ["create", "dispatch"], {"create": 1000, "dispatch": 1000})
    assert grid.row_labels == ["create", "dispatch"]
    assert grid.shape == (2, 3)
    ratio = grid.values[1][0]
    # p95 falls among the 3 s samples: ~3× the 1 s deadline, within a bucket's width
    assert ratio is not None and 2.7 <= ratio <= 3.3
    assert grid.overlay is not None and grid.overlay[1][0] == pytest.approx(0.10)
    assert grid.values[0][0] is None and grid.values[1][2] is None
    assert grid.values[0][2] == pytest.approx(0.05, rel=0.1)
    assert grid.counts == [[0, 0, 10], [100, 0, 0]]


def test_time_columns_merge_slices_to_the_cap():
    hists = StageHistograms(slice_s=5.0)
    for i in range(100):
        hists.record("create", i * 5.0, 10.0)
    cols = columns_for(hists, max_cols=10)
    assert (cols.per, cols.count, cols.width_s) == (10, 10, 50.0)
    grid = stage_time_grid(hists, ["create"], {"create": 100}, max_cols=10)
    assert grid.counts == [[10] * 10]
    assert grid.col_labels[:3] == ["0:00", "0:50", "1:40"]


def test_latency_grid_rows_span_only_the_samples_slowest_first():
    hists = StageHistograms(slice_s=5.0)
    for _ in range(30):
        hists.record("respond", 1.0, 100.0)
    for _ in range(5):
        hists.record("respond", 7.0, 4000.0)
    grid = latency_grid("respond", hists.stages["respond"], columns_for(hists))
    assert grid.row_values is not None
    assert grid.row_values == sorted(grid.row_values, reverse=True)
    assert grid.row_values[0] <= 4000.0 < grid.row_values[0] * 2
    assert grid.row_values[-1] <= 100.0 < grid.row_values[-1] * 2
    total = sum(v or 0 for row in grid.values for v in row)
    assert total == 35
    assert grid.values[0][1] == 5 and grid.values[-1][0] == 30


def test_week_hour_grid_counts_by_weekday_and_hour():
    moments = [
        datetime(2026, 11, 24, 2, 15, tzinfo=UTC),  # Tuesday 02:xx
        datetime(2026, 11, 24, 2, 45, tzinfo=UTC),
        datetime(2026, 11, 29, 23, 59, tzinfo=UTC),  # Sunday 23:xx
        None,
    ]
    grid = week_hour_grid("created", moments)
    assert grid.shape == (7, 24)
    assert grid.counts is not None
    assert grid.counts[1][2] == 2 and grid.counts[6][23] == 1
    assert sum(map(sum, grid.counts)) == 3


def test_first_growing_stage_is_the_bottleneck():
    hists = StageHistograms(slice_s=5.0)
    _steady("create", hists, 50.0)
    _growing("dispatch", hists, 300.0, 6000.0)
    _growing("resolve", hists, 300.0, 9000.0)  # grows more, but comes later in the journey
    deadlines = {"create": 2000, "dispatch": 10000, "resolve": 10000}
    b = find_bottleneck(hists, ["create", "dispatch", "resolve"], deadlines)
    assert (b.stage, b.reason) == ("dispatch", "backlog")
    assert any("p95 rose from" in line for line in b.evidence)
    by_stage = {ev.stage: ev for ev in b.stages}
    assert by_stage["dispatch"].growth is not None and by_stage["dispatch"].growth > 2.5
    assert not backlog_grows(by_stage["create"])


def test_steady_run_names_the_worst_deadline_ratio():
    hists = StageHistograms(slice_s=5.0)
    _steady("create", hists, 50.0)
    _steady("dispatch", hists, 900.0)
    _steady("respond", hists, 3000.0)
    deadlines = {"create": 2000, "dispatch": 10000, "respond": 4000}
    b = find_bottleneck(hists, ["create", "dispatch", "respond"], deadlines)
    assert (b.stage, b.reason) == ("respond", "ratio")
    assert "next worst: dispatch" in " ".join(b.evidence)


def test_empty_run_names_nothing():
    b = find_bottleneck(StageHistograms(), ["create"], {"create": 1000})
    assert b.stage is None and "No stage" in b.headline


@pytest.mark.parametrize(("slow", "reason"), [("dispatch", "backlog"), ("respond", "failing")])
def test_synthetic_run_names_the_stage_that_slows_down(tmp_path, slow, reason):
    # respond grows to 14 s against its 5 s deadline: most of its samples fail
    report = build_report(make_run(tmp_path, slow=slow, samples=3500))
    assert report.bottleneck.stage == slow
    assert report.bottleneck.reason == reason
    grid = report.stage_grid
    row = grid.values[grid.row_labels.index(slow)]
    assert (row[-1] or 0) > 3 * (row[0] or 1)  # the heatmap shows it: late cells far hotter
    assert report.slowest and report.slowest[0].sample.stage == slow


def test_compare_gives_per_stage_deltas(tmp_path):
    now = make_run(tmp_path / "a", slow="dispatch", samples=3500)
    before = make_run(tmp_path / "b", run_id="20261025T071500Z", slow=None, samples=3500)
    report = build_report(now, compare_dir=before)
    assert report.comparison is not None
    assert report.comparison.baseline_id == "20261025T071500Z"
    deltas = {d.stage: d for d in report.comparison.deltas}
    assert list(deltas) == list(STAGES)
    change = deltas["dispatch"].change("p95_ms")
    assert change is not None and change > 1.0 and deltas["dispatch"].worse
    assert abs(deltas["create"].change("p95_ms") or 0) < 0.3
    assert not deltas["create"].worse


def test_deadlines_come_from_run_json(tmp_path):
    report = build_report(make_run(tmp_path, samples=700))
    assert {ev.stage: ev.deadline_ms for ev in report.bottleneck.stages} == DEADLINES_MS


def test_night_share_and_busiest_cell():
    from driftline.report.heatmap import busiest_cell, night_share

    base = datetime(2026, 11, 23, tzinfo=UTC)  # a Monday
    moments = [base.replace(hour=3)] * 3 + [base.replace(hour=14)]
    grid = week_hour_grid("created", moments)
    assert busiest_cell(grid) == ("Mon", "03", 3.0)
    assert night_share(grid) == pytest.approx(0.75)
    assert night_share(week_hour_grid("none", [])) is None


def test_comfortable_run_is_not_called_a_bottleneck():
    hists = StageHistograms(slice_s=5.0)
    _steady("create", hists, 5.0)
    _steady("dispatch", hists, 200.0)
    b = find_bottleneck(hists, ["create", "dispatch"], {"create": 5000, "dispatch": 10000})
    assert b.stage == "dispatch" and not b.pressing
    assert b.headline.startswith("No stage is under pressure")
    assert "0.02×" in b.headline


def test_healthy_run_still_shows_when_a_stage_slowed():
    """Far inside its deadline the stage map is one colour; against the stage's usual p95 the
    slow minute stands out."""
    from driftline.report.heatmap import relative_grid

    hists = StageHistograms(slice_s=5.0)
    for i in range(12):
        for _ in range(20):
            hists.record("create", i * 5.0, 60.0 if i == 7 else 20.0)
    deadline = stage_time_grid(hists, ["create"], {"create": 10_000})
    assert max(v or 0 for v in deadline.values[0]) < 0.01  # all "far inside the deadline"
    (row,) = relative_grid(hists, ["create"]).values
    assert row[7] is not None and 2.5 <= row[7] <= 3.5
    assert all(v is not None and 0.9 <= v <= 1.1 for i, v in enumerate(row) if i != 7)


def test_trend_from_a_dozen_samples_even_when_the_stage_starts_late():
    """A dispatch stage seen only in the second half of a short run still gets first and last
    thirds: they are counted in its own samples, not in the run's clock."""
    from driftline.report.stagerows import stage_rows

    hists = StageHistograms(slice_s=5.0)
    for i in range(60):  # create: the whole minute
        hists.record("create", float(i), 10.0)
    for n, ms in enumerate([100.0] * 4 + [200.0] * 4 + [900.0] * 4):  # dispatch: 12, late
        hists.record("dispatch", 35.0 + 2 * n, ms)
    rows = {r.stage: r for r in stage_rows(hists, ["create", "dispatch"], {"dispatch": 1000})}
    dispatch = rows["dispatch"]
    assert dispatch.early_p95_ms is not None and dispatch.late_p95_ms is not None
    assert dispatch.early_p95_ms < 250 and dispatch.late_p95_ms > 700  # whole 5 s slices
    assert backlog_grows(dispatch)
    few = StageHistograms(slice_s=5.0)
    for n in range(11):
        few.record("dispatch", 5.0 * n, 100.0)
    (row,) = stage_rows(few, ["dispatch"], {})
    assert row.early_p95_ms is None  # eleven samples are not enough to call a trend
