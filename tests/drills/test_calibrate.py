"""The drill's pickup deadline: room for the healthy pickup, below the faulty one."""

from __future__ import annotations

from driftline.drills.calibrate import choose


def test_quiet_machine_keeps_the_floor():
    assert choose(20, 0.5, 40.0).ms == 20  # 9.3 ms between them
    assert choose(20, 1.0, None).ms == 20


def test_the_healthy_pickup_gets_the_square_of_the_faulty_ones_room():
    # Under the stress load a healthy pickup slows toward the deadline; a faulty one only moves
    # further past it.
    deadline = choose(20, 8.0, 1000.0)
    assert deadline.ms == 200 and deadline.ms / 8.0 == 25 and 1000 / deadline.ms == 5
    deadline = choose(20, 43.0, 512.0)
    assert deadline.ms == 225 and deadline.ms / 43.0 > 5.2 and 512 / deadline.ms > 2.2
    assert choose(20, 43.0, None).ms == 215
    assert "healthy pickup at most 43.0 ms" in deadline.note
    assert "not assured" not in deadline.note


def test_a_fault_that_barely_slows_the_pickup_is_said_so():
    deadline = choose(20, 40.0, 120.0)
    assert 40 < deadline.ms < 120
    assert "detection is not assured" in deadline.note
