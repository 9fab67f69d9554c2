"""kill -9 of the system under test mid-run: the run says the target died, and no ticket is
called lost because of it (through the database every one is accounted for; without one, the
lookups that could not be made say "target down")."""

from __future__ import annotations

import json
import signal

import pytest

from driftline.stress.refsys_proc import load_config, running_refsys
from driftline.stress.runner import StressOptions, run_stress

pytestmark = pytest.mark.slow

LENIENT = "stages:\n  create: {p95_ms: 60000}\nthroughput: {min_tickets_per_s: 0.01}\n"
RUN = {
    "users": 6,
    "spawn_rate": 6,
    "duration_s": 10,
    "stop_timeout_s": 3,
    "customers": 20,
    "alert_share": 0.2,
    "reopen_share": 0.2,
}
KILL_AFTER_S = 3.0  # of load: enough for tickets in every state, well before the end


def _run_and_kill(tmp_path, *, with_db: bool):
    (tmp_path / "lenient.yaml").write_text(LENIENT)
    folder = tmp_path / "refsys"
    folder.mkdir()
    db_url = f"sqlite:///{folder / 'refsys.db'}"
    with running_refsys(db_url, load_config(None), folder, seed_tickets=0) as refsys:
        killed: list[float] = []

        def kill_mid_run(status) -> None:
            if not killed and status.phase == "load" and status.elapsed_s >= KILL_AFTER_S:
                refsys.process.send_signal(signal.SIGKILL)
                killed.append(status.elapsed_s)

        options = StressOptions(
            target=refsys.url,
            db=db_url if with_db else None,
            out=tmp_path / "runs",
            thresholds=tmp_path / "lenient.yaml",
            **RUN,
        )
        result = run_stress(options, on_status=kill_mid_run)
    assert killed, "the load never ran long enough to kill the target"
    run_json = json.loads((result.run_dir / "run.json").read_text())
    return result, run_json


def test_with_db_every_ticket_is_accounted_for_and_the_death_is_named(tmp_path):
    result, doc = _run_and_kill(tmp_path, with_db=True)
    recon = result.reconcile
    assert recon.source == "database"
    assert recon.created > 0 and recon.unaccounted == [] and recon.unchecked == []
    assert recon.accounted == recon.created
    assert recon.target_died.startswith("target died at ")
    assert doc["reconcile"]["target_died"] == recon.target_died
    assert result.verdict == "fail" and result.exit_code == 1
    down = [f for f in result.findings if f.kind == "stress.target.down"]
    assert down and "reconciled through its database" in down[0].message
    assert not any(f.kind == "stress.ticket.unaccounted" for f in result.findings)


def test_without_db_lookups_say_target_down_not_unaccounted(tmp_path):
    result, doc = _run_and_kill(tmp_path, with_db=False)
    recon = result.reconcile
    assert recon.source == "http" and recon.target_down
    assert recon.unaccounted == [], recon.unaccounted[:3]
    assert recon.unchecked and all(u["reason"].startswith("target down") for u in recon.unchecked)
    assert recon.target_died.startswith("target died at ")
    assert doc["reconcile"]["unchecked"] and doc["reconcile"]["unaccounted"] == []
    assert result.verdict == "fail" and result.exit_code == 1
    messages = [v["message"] for v in doc["verdicts"]]
    assert any("could not be looked up (target down)" in m for m in messages), messages
