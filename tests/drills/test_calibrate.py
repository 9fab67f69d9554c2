"""The drill's pickup deadline: room for the healthy pickup, below the faulty one."""

from __future__ import annotations

from driftline.drills.calibrate import choose


def test_quiet_machine_keeps_the_floor():
    assert choose(20, 2.0, 300.0).ms == 25  # the geometric mean
    assert choose(20, 1.0, None).ms == 20


def test_loaded_machine_leaves_the_same_room_on_both_sides():
    deadline = choose(20, 43.0, 512.0)
    assert deadline.ms == 149 and deadline.ms / 43.0 > 3.4 and 512 / deadline.ms > 3.4
    assert choose(20, 43.0, None).ms == 215
    assert "healthy pickup at most 43.0 ms" in deadline.note
    assert "not assured" not in deadline.note


def test_a_fault_that_barely_slows_the_pickup_is_said_so():
    deadline = choose(20, 40.0, 120.0)
    assert 40 < deadline.ms < 120
    assert "detection is not assured" in deadline.note
