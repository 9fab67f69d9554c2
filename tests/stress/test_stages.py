"""The stage tracker: recording, shipping worker → master, ledger merging; adaptive polling."""

from __future__ import annotations

import itertools
import json

import pytest

from driftline.stress.stages import STAGE_ORDER, LedgerEntry, Sample, StageTracker, poll_until


class FakeClock:
    def __init__(self, t: float = 1000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += seconds


def test_record_goes_to_pending_then_totals():
    clock = FakeClock()
    tracker = StageTracker(epoch=1000.0, clock=clock)
    tracker.created(7)
    clock.t = 1003.0
    tracker.record("create", 7, 12.5)
    tracker.record("dispatch", 7, 800.0, ok=False, reason="deadline")
    assert tracker.samples == []  # nothing in the totals before absorbing
    tracker.absorb_own()
    assert [s.stage for s in tracker.samples] == ["create", "dispatch"]
    assert tracker.samples[1] == Sample("7", "dispatch", 3.0, 800.0, False, "deadline", "local")
    hist = tracker.hist.stages["dispatch"].total()
    assert (hist.count, hist.errors) == (1, 1)
    assert tracker.ledger["7"].stage == "dispatch"
    assert tracker.ledger["7"].outcome == "in_flight"


def test_failure_needs_a_reason_and_stage_must_exist():
    tracker = StageTracker()
    with pytest.raises(ValueError, match="reason"):
        tracker.record("create", 1, 1.0, ok=False)
    with pytest.raises(ValueError, match="unknown stage"):
        tracker.record("teleport", 1, 1.0)


def test_create_failure_without_ticket_is_counted_by_reason():
    tracker = StageTracker()
    tracker.record("create", None, 3.0, ok=False, reason="http_500")
    tracker.record("create", None, 3.0, ok=False, reason="http_500")
    tracker.absorb_own()
    assert tracker.create_failures == {"http_500": 2}
    assert tracker.ledger == {}


def test_two_workers_merge_on_the_master_through_json():
    master = StageTracker(epoch=0.0, worker="master", clock=FakeClock(10.0))
    for name, tid in (("w1", "1"), ("w2", "2")):
        worker = StageTracker(epoch=0.0, worker=name, clock=FakeClock(10.0))
        worker.created(tid)
        worker.record("create", tid, 5.0)
        worker.entering(tid, "dispatch")
        first = json.loads(json.dumps(worker.collect()))  # what goes over the wire
        worker.record("dispatch", tid, 100.0)
        worker.finished(tid, "closed")
        second = json.loads(json.dumps(worker.collect()))
        master.absorb(first)
        master.absorb(second)
    assert master.hist.stages["create"].total().count == 2
    assert {s.worker for s in master.samples} == {"w1", "w2"}
    assert master.ledger["1"] == LedgerEntry("1", 10.0, "dispatch", "closed", "", "w1")
    assert master.ledger["2"].outcome == "closed"


def test_collect_empties_pending():
    tracker = StageTracker()
    tracker.record("create", 1, 1.0)
    assert tracker.collect()["samples"]
    again = tracker.collect()
    assert again["samples"] == [] and again["ledger"] == []


def test_poll_intervals_grow_and_stop_at_deadline():
    clock = FakeClock(0.0)
    calls: list[float] = []

    def fetch() -> int:
        calls.append(clock.t)
        return len(calls)

    result = poll_until(
        fetch,
        lambda n: False,
        3.0,
        sleep=clock.sleep,
        clock=clock,
        first_s=0.1,
        factor=2.0,
        max_interval_s=1.0,
    )
    assert not result.done
    gaps = [round(b - a, 3) for a, b in itertools.pairwise(calls)]
    assert gaps[:4] == [0.1, 0.2, 0.4, 0.8]
    assert max(gaps) <= 1.0
    assert result.elapsed_s == pytest.approx(3.0)


def test_poll_returns_as_soon_as_accepted():
    clock = FakeClock(0.0)
    values = iter([None, None, {"dispatched_at": "x"}])
    result = poll_until(
        lambda: next(values), lambda v: v is not None, 10.0, sleep=clock.sleep, clock=clock
    )
    assert result.done and result.polls == 3 and result.value == {"dispatched_at": "x"}


def test_stage_order_is_the_contract():
    assert STAGE_ORDER == (
        "create",
        "dispatch",
        "alert",
        "respond",
        "resolve",
        "followup",
        "reopen",
    )
