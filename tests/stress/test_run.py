"""Real stress runs against the reference system on SQLite: short (≤ 30 s) and small.

One system serves the module; one short run is shared by the checks of its figures, files,
reconciliation and re-judging. A distributed run (two workers) and a CLI run that starts its own
embedded system complete it.
"""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import httpx
import pytest

from driftline.cli import run as cli
from driftline.stress import rundir
from driftline.stress.reconcile import http_lookup, reconcile
from driftline.stress.refsys_proc import load_config, running_refsys
from driftline.stress.result import assess
from driftline.stress.runner import StressOptions, run_stress
from driftline.stress.stages import STAGE_ORDER, LedgerEntry, parse_ts
from driftline.stress.system_run import tagged_ticket_ids
from driftline.stress.thresholds import load_thresholds

pytestmark = pytest.mark.slow

LENIENT = """\
stages:
  create:   {p95_ms: 5000, max_error_rate: 0.05}
  dispatch: {p95_ms: 8000, min_completion: 0.8}
  respond:  {max_error_rate: 0.05}
throughput: {min_tickets_per_s: 0.2}
"""
STRICT = """\
stages:
  dispatch: {p95_ms: 1, min_completion: 1.0}
throughput: {min_tickets_per_s: 100000}
"""
SHORT = {
    "users": 8,
    "spawn_rate": 8,
    "duration_s": 9,
    "alert_share": 0.5,
    "reopen_share": 0.5,
    "stop_timeout_s": 3,
    "customers": 20,
}


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("thresholds")
    (folder / "lenient.yaml").write_text(LENIENT)
    (folder / "strict.yaml").write_text(STRICT)
    return {"lenient": folder / "lenient.yaml", "strict": folder / "strict.yaml"}


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    folder = tmp_path_factory.mktemp("refsys")
    with running_refsys(f"sqlite:///{folder / 'refsys.db'}", load_config(None), folder) as refsys:
        yield refsys


@pytest.fixture(scope="module")
def short_run(system, files, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs")
    options = StressOptions(
        target=system.url, db=system.db_url, out=out, thresholds=files["lenient"], **SHORT
    )
    return run_stress(options)


def samples_of(run_dir: Path) -> list[dict[str, str]]:
    with gzip.open(run_dir / rundir.SAMPLES_FILE, "rt") as fh:
        return list(csv.DictReader(fh))


def test_every_stage_measured(short_run):
    stages = short_run.document["stages"]
    assert list(stages) == list(STAGE_ORDER)
    for name in STAGE_ORDER:
        fig = stages[name]
        assert fig["count"] > 0, name
        assert fig["count"] == fig["ok"] + fig["failed"]
        assert fig["p50_ms"] <= fig["p95_ms"] <= fig["p99_ms"] <= fig["max_ms"]
        assert fig["deadline_ms"] > 0
    assert stages["dispatch"]["completion"] >= 0.8
    assert short_run.verdict == "pass", short_run.document["verdicts"]
    assert short_run.exit_code == 0


def test_dispatch_and_alert_latency_come_from_server_timestamps(short_run, system):
    rows = samples_of(short_run.run_dir)
    checked = {"dispatch": 0, "alert": 0}
    with httpx.Client(base_url=system.url) as client:
        for row in rows:
            if row["ok"] != "1" or row["stage"] not in checked or checked[row["stage"]] >= 5:
                continue
            tid = row["ticket_id"]
            if row["stage"] == "dispatch":
                t = client.get(f"/tickets/{tid}").json()
                if t["reopen_count"]:
                    continue  # dispatched again after the reopen: dispatched_at moved on
                expected = parse_ts(t["dispatched_at"]) - parse_ts(t["created_at"])
            else:
                alerts = client.get(f"/tickets/{tid}/alerts").json()
                alert = next(a for a in alerts if a["kind"] == "first_response")
                expected = parse_ts(alert["fired_at"]) - parse_ts(alert["due_at"])
            assert float(row["latency_ms"]) == pytest.approx(1000 * expected, abs=0.01)
            checked[row["stage"]] += 1
    assert checked["dispatch"] > 0 and checked["alert"] > 0


def test_stage_results_stay_out_of_locust_request_stats(short_run):
    with (short_run.run_dir / "locust" / "stats.csv").open() as fh:
        names = {row["Name"] for row in csv.DictReader(fh)}
    names.discard("Aggregated")
    assert names and all(name.startswith(("GET /", "POST /")) for name in names)
    assert not names & set(STAGE_ORDER)
    with (short_run.run_dir / "locust" / "stages.csv").open() as fh:
        stage_rows = {row["Stage"]: row for row in csv.DictReader(fh)}
    assert list(stage_rows) == list(STAGE_ORDER)
    assert int(stage_rows["dispatch"]["Count"]) == short_run.document["stages"]["dispatch"]["count"]


def test_run_directory_is_complete_and_consistent(short_run):
    d = short_run.run_dir
    for name in (
        "run.json",
        "histograms.json",
        "samples.csv.gz",
        "ledger.json",
        "junit.xml",
        "summary.md",
        "status.json",
        "locust/stats.csv",
        "locust/stats_history.csv",
        "locust/failures.csv",
        "locust/report.html",
    ):
        assert (d / name).is_file(), name
    doc = json.loads((d / "run.json").read_text())
    assert list(doc)[:6] == ["driftline", "kind", "id", "started_at", "ended_at", "duration_s"]
    assert doc["id"] == d.name and doc["kind"] == "stress-run"
    assert doc["config"]["users"] == SHORT["users"]
    assert doc["environment"]["dialect"] == "sqlite"
    hist = rundir.read_histograms(d)
    rows = samples_of(d)
    for stage, fig in doc["stages"].items():
        total = hist.stages[stage].total()
        assert total.count == fig["count"] == sum(r["stage"] == stage for r in rows)
        assert total.errors == fig["failed"]
    assert doc["throughput"]["tickets"] == doc["reconcile"]["created"]
    assert doc["throughput"]["tickets_per_s"] > 0
    assert not doc["generator"]["saturated"]
    assert "<testsuite" in (d / "junit.xml").read_text()


def test_every_created_ticket_is_accounted_for(short_run):
    recon = short_run.document["reconcile"]
    assert recon["server_side_checked"]
    assert recon["unaccounted"] == []
    assert recon["created"] == recon["accounted"] > 0
    assert sum(recon["by_outcome"].values()) == recon["created"]
    assert recon["by_outcome"].get("closed", 0) > 0


def test_an_unaccounted_ticket_fails_the_run(short_run, system, files):
    ledger, _ = rundir.read_ledger(short_run.run_dir)
    ledger["987654321"] = LedgerEntry("987654321", 1.0, "followup", "closed")
    tag = short_run.document["config"]["run_tag"]
    # a ticket with the run's tag the run never heard of (its create answer was "lost")
    stray = httpx.post(
        f"{system.url}/tickets",
        json={
            "priority": "P3",
            "source": "web_form",
            "region": "north",
            "category": "payment",
            "customer_id": 1,
            "title": f"[dl-{tag}] lost answer",
            "description": "x",
        },
    )
    assert stray.status_code == 201
    server_ids = tagged_ticket_ids(system.db_url, tag)
    with httpx.Client(base_url=system.url) as client:
        recon = reconcile(ledger, http_lookup(client), server_ids=server_ids)
    reasons = {u["ticket_id"]: u["reason"] for u in recon.unaccounted}
    assert reasons == {
        "987654321": "not found on the server",
        str(stray.json()["id"]): "on the server with the run's tag, not in the ledger",
    }
    _, verdict = assess(
        load_thresholds(files["lenient"]),
        short_run.stages,
        short_run.throughput,
        short_run.generator,
        recon,
    )
    assert verdict == "fail"


def test_judge_pass_and_breach_exit_codes(short_run, files, capsys):
    assert (
        cli(["stress", "judge", str(short_run.run_dir), "--thresholds", str(files["lenient"])]) == 0
    )
    capsys.readouterr()
    code = cli(
        [
            "stress",
            "judge",
            str(short_run.run_dir),
            "--thresholds",
            str(files["strict"]),
            "-f",
            "junit",
        ]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert 'type="stress.threshold.breached"' in out
    assert "dispatch p95" in out and "&gt; 1 ms" in out
    assert "throughput" in out


def test_distributed_run_with_two_workers(system, files, tmp_path):
    options = StressOptions(
        target=system.url,
        db=system.db_url,
        out=tmp_path,
        workers=2,
        thresholds=files["lenient"],
        **SHORT,
    )
    result = run_stress(options)
    doc = result.document
    assert doc["locust"]["workers"] == 2
    assert [p["role"] for p in doc["generator"]["processes"]] == ["master", "worker-1", "worker-2"]
    assert len(doc["workers"]) == 2 and all(w["samples"] > 0 for w in doc["workers"].values())
    hist = rundir.read_histograms(result.run_dir)  # merged on the master from both workers
    assert sum(h.total().count for h in hist.stages.values()) == len(samples_of(result.run_dir))
    assert doc["reconcile"]["unaccounted"] == []
    assert doc["stages"]["dispatch"]["count"] > 0
    assert result.verdict == "pass", doc["verdicts"]


def test_cli_run_starts_its_own_system_and_names_each_breach(files, tmp_path, capsys):
    code = cli(
        [
            "stress",
            "run",
            "-u",
            "5",
            "-r",
            "5",
            "-t",
            "6s",
            "--alert-share",
            "0",
            "--thresholds",
            str(files["strict"]),
            "--out",
            str(tmp_path),
            "--no-live",
        ]
    )
    out = capsys.readouterr().out
    assert code == 1, out
    assert "dispatch p95" in out and "> 1 ms" in out
    assert "throughput" in out and "< 100000.00 tickets/s" in out
    (run_dir,) = tmp_path.iterdir()
    assert (run_dir / "refsys.db").is_file()  # the embedded SQLite system lived in the run dir
    doc = rundir.read_run(run_dir)
    assert doc["verdict"] == "fail" and doc["exit_code"] == 1
    assert {f["kind"] for f in doc["findings"]} == {"stress.threshold.breached"}


def test_web_ui_shows_stages_in_their_own_tab(system, tmp_path):
    """Plain ``locust -f scenarios/ticket_journey.py`` with its web UI: a Stages tab and CSV."""
    import subprocess
    import sys
    import time

    from driftline.stress.refsys_proc import free_port, stop_process

    scenario = Path(__file__).resolve().parents[2] / "scenarios" / "ticket_journey.py"
    port = free_port()
    log = (tmp_path / "locust.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(scenario),
            "--host",
            system.url,
            "--web-host",
            "127.0.0.1",
            "--web-port",
            str(port),
            "-u",
            "3",
            "-r",
            "3",
            "--autostart",
            "--alert-share",
            "0",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    ui = f"http://127.0.0.1:{port}"
    try:
        rows: list[dict] = []
        deadline = time.monotonic() + 120  # polls; Locust starts slowly on a loaded machine
        while time.monotonic() < deadline:
            time.sleep(0.5)
            try:
                stats = httpx.get(f"{ui}/stats/requests", timeout=2).json()
            except httpx.HTTPError:
                continue
            extended = {e["key"]: e["data"] for e in stats.get("extended_stats", [])}
            rows = extended.get("stages", [])
            if any(r["stage"] == "dispatch" and r["count"] for r in rows):
                break
        assert [r["stage"] for r in rows] == list(STAGE_ORDER)
        assert next(r for r in rows if r["stage"] == "dispatch")["p95"] is not None
        # stage samples are not requests: no row of Locust's request table is a stage
        assert not {s["name"] for s in stats["stats"]} & set(STAGE_ORDER)
        page = httpx.get(ui, timeout=5).text
        assert '"extended_tabs": [{"key": "stages", "title": "Stages"}]' in page
        csv_text = httpx.get(f"{ui}/stages/csv", timeout=5).text
        assert csv_text.startswith("Stage,Deadline ms,Count,OK,Failed")
    finally:
        stop_process(proc)
        log.close()


def test_stalled_dispatch_is_a_failure_never_silently_absent(files, tmp_path):
    """The incident as a drill would run it: the dispatcher stops, manual work still goes on."""
    options = StressOptions(
        out=tmp_path,
        thresholds=files["lenient"],
        refsys_config={"dispatch": {"enabled": False}},
        dispatch_deadline_s=1.5,
        seed_tickets=0,
        **{**SHORT, "duration_s": 6, "alert_share": 1.0},
    )
    result = run_stress(options)
    assert result.document["duration_s"] >= 0.9 * 6  # the load ran as long as asked
    dispatch = result.document["stages"]["dispatch"]
    assert dispatch["count"] > 0 and dispatch["ok"] == 0
    assert dispatch["deadline_missed"] == dispatch["count"] and dispatch["completion"] == 0.0
    assert dispatch["reasons"] == {"deadline": dispatch["count"]}
    assert dispatch["max_ms"] >= 1500
    assert result.document["stages"]["alert"]["ok"] > 0  # the sweeper still alerts
    assert result.document["stages"]["respond"]["count"] == 0  # nobody to respond
    recon = result.document["reconcile"]
    assert recon["unaccounted"] == [] and recon["by_outcome"].get("failed:dispatch", 0) > 0
    assert result.verdict == "fail" and result.exit_code == 1
    breached = [v.message for v in result.verdicts if not v.passed]
    assert any(m.startswith("dispatch completion 0 < 0.8") for m in breached), breached
