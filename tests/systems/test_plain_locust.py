"""A plain ``locust -f scenarios/...`` run writes a run directory that ``driftline report`` and
``driftline stress judge`` accept (reconciliation: not checked, said as such)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from driftline.cli import run
from driftline.stress.refsys_proc import load_config, running_refsys

pytestmark = pytest.mark.slow

SCENARIO = Path(__file__).parents[2] / "scenarios" / "ticket_journey.py"


def test_plain_locust_run_is_a_run_directory(tmp_path, capsys):
    work = tmp_path / "work"
    work.mkdir()
    with running_refsys(
        f"sqlite:///{tmp_path / 'refsys.db'}", load_config(None), tmp_path, seed_tickets=0
    ) as refsys:
        proc = subprocess.run(
            [
                *(sys.executable, "-m", "locust", "-f", str(SCENARIO), "--host", refsys.url),
                *("--headless", "-u", "3", "-r", "3", "-t", "6s", "--only-summary"),
            ],
            cwd=work,
            capture_output=True,
            text=True,
            timeout=180,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    assert proc.returncode == 0, proc.stderr[-2000:]
    runs = list((work / "runs").iterdir())
    assert len(runs) == 1, proc.stderr[-2000:]
    run_dir = runs[0]
    doc = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert doc["kind"] == "stress-run" and doc["config"]["system"] == "refsys"
    assert doc["reconcile"]["source"] == "not checked"
    assert doc["stages"]["create"]["count"] > 0
    unreconciled = [v for v in doc["verdicts"] if v["metric"] == "unaccounted"]
    assert unreconciled[0].get("observed") is False and not unreconciled[0]["passed"]

    assert run(["report", str(run_dir), "-o", str(tmp_path / "r.html")]) == 0
    assert (tmp_path / "r.html").stat().st_size > 0
    capsys.readouterr()
    assert run(["stress", "judge", str(run_dir), "-f", "json"]) in (0, 1)
    assert "findings" in json.loads(capsys.readouterr().out)
