"""Locust's --run-time counts from when the test starts, however long Locust took to start.

gevent timers count from the event loop's cached clock; a locustfile that blocks at import (a
slow start on a loaded machine does the same) once made a 3 s run stop 1 ms after it began.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime

LOCUSTFILE = """\
import gevent
from gevent import monkey
from locust import User, constant, task

import driftline.stress.locust_plugin  # noqa: F401

gevent.get_hub()
monkey.get_original("time", "sleep")(3)  # a blocking start-up, as on a loaded machine


class Idle(User):
    wait_time = constant(0.2)

    @task
    def nothing(self):
        pass
"""


def _at(log: str, marker: str) -> datetime:
    line = next(line for line in log.splitlines() if marker in line)
    stamp = re.match(r"\[([^\]]+)\]", line)
    assert stamp, line
    return datetime.strptime(stamp.group(1), "%Y-%m-%d %H:%M:%S,%f")


def test_run_time_is_not_shortened_by_a_slow_start(tmp_path):
    locustfile = tmp_path / "slow_start.py"
    locustfile.write_text(LOCUSTFILE)
    argv = [sys.executable, "-m", "locust", "-f", str(locustfile), "--headless"]
    argv += ["-u", "1", "-r", "1", "--run-time", "3s", "--only-summary"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    log = done.stderr
    ran = (_at(log, "--run-time limit reached") - _at(log, "Run time limit set")).total_seconds()
    assert ran >= 2.9, log
