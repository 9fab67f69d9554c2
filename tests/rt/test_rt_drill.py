"""``driftline drill index-drop --system rt`` on the real Request Tracker 5, on PostgreSQL and on
MariaDB: dropping ``transactions1`` is caught by the stress thresholds (the history stage, whose
query reads through it, misses its calibrated deadline), by schema check and by plan check; after
the restore all three are green, every ticket is reconciled through RT's database, the index is
back and the seeded rows are gone. Ctrl-C or SIGTERM in the middle of the fault restores the
index too."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

from driftline.cli import run
from driftline.db import make_engine
from driftline.systems.load import BUILTIN_DIR

pytestmark = [pytest.mark.rt, pytest.mark.slow, pytest.mark.postgres]

#: Wide limits for everything but the history stage: a loaded machine makes RT slow, and the
#: drill must be caught by the stage its index serves, not by RT's speed.
THRESHOLDS = """\
driftline: 1
stages:
  create:   {p95_ms: 60000, max_error_rate: 0.05, min_completion: 0.8}
  dispatch: {p95_ms: 60000, max_error_rate: 0.05, min_completion: 0.8}
  history:  {max_error_rate: 0.05, min_completion: 0.9}
  respond:  {p95_ms: 60000, max_error_rate: 0.05, min_completion: 0.8}
  resolve:  {p95_ms: 60000, max_error_rate: 0.05, min_completion: 0.8}
"""


def _adapter(folder, **replace: str):
    """RT's adapter with wide deadlines, no alert wait (it would hold a journey for a minute),
    and the thresholds above."""
    text = (BUILTIN_DIR / "rt.yaml").read_text(encoding="utf-8")
    text = text.replace("share: 0.2", "share: 0").replace("deadline_s: 30", "deadline_s: 60")
    text = text.replace("thresholds: rt-thresholds.yaml", "thresholds: thresholds.yaml")
    text = text.replace("queries: rt-queries.yaml", f"queries: {BUILTIN_DIR / 'rt-queries.yaml'}")
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    (folder / "thresholds.yaml").write_text(THRESHOLDS, encoding="utf-8")
    path = folder / "rt-drill.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _state(db: str) -> tuple[bool, int]:
    """Whether transactions1 exists, and how many seeded (negative ObjectId) rows are left."""
    engine = make_engine(db)
    try:
        inspector = sa.inspect(engine)
        table = next(t for t in inspector.get_table_names() if t.lower() == "transactions")
        names = {str(ix["name"]).lower() for ix in inspector.get_indexes(table)}
        present = "transactions1" in names
        with engine.connect() as conn:
            seeded = conn.execute(
                sa.text(
                    "SELECT COUNT(*) FROM Transactions "
                    "WHERE ObjectType = 'RT::Ticket' AND ObjectId < 0"
                )
            ).scalar()
    finally:
        engine.dispose()
    return bool(present), int(seeded or 0)


def _with_env(rt, monkeypatch):
    for key, value in rt.env().items():
        monkeypatch.setenv(key, value)
    assert _state(rt.db)[0], "transactions1 is missing before the drill (see .ci/install-rt)"
    return rt


@pytest.fixture
def rt_env(rt, monkeypatch):
    return _with_env(rt, monkeypatch)


@pytest.fixture(
    params=[
        pytest.param("rt", id="postgresql"),
        pytest.param("rt_mysql", id="mariadb", marks=pytest.mark.mysql),
    ]
)
def any_rt(request, monkeypatch):
    return _with_env(request.getfixturevalue(request.param), monkeypatch)


def test_index_drop_drill_is_caught_and_recovers(any_rt, tmp_path, capsys):
    rt = any_rt
    adapter = _adapter(tmp_path)
    started = time.monotonic()
    code = run(
        [
            *("drill", "index-drop", "--system", str(adapter), "--target", rt.url),
            *("--db", rt.db, "-u", "5", "-t", "15s", "--out", str(tmp_path / "out")),
            *("-f", "json", "-o", str(tmp_path / "drill.json")),
        ]
    )
    wall = time.monotonic() - started
    drill_dir = next((tmp_path / "out").glob("drill-index-drop-rt-*"))
    doc = json.loads((drill_dir / "drill.json").read_text(encoding="utf-8"))
    print(f"drill wall time {wall:.0f} s; notes: {doc['notes']}")
    fault = {d["detector"]: d for d in doc["fault"]["detections"]}
    recovery = {d["detector"]: d for d in doc["recovery"]["detections"]}
    assert code == 0, (fault, recovery)
    assert doc["caught"] and doc["recovered"]

    stress = fault["stress thresholds"]
    assert stress["fired"]
    breached = {f["object"] for f in stress["findings"]}
    assert any(b.startswith("stage history") for b in breached), breached
    fault_run = json.loads((drill_dir / "fault").glob("*/run.json").__next__().read_text())
    history = fault_run["stages"]["history"]
    assert history["ok"] == 0 and history["failed"] > 0
    for detector in ("schema check", "plan check"):
        assert fault[detector]["fired"], fault[detector]
        text = json.dumps(fault[detector]["findings"])
        assert "transactions1" in text.lower(), (detector, text)
    assert not any(d["fired"] for d in recovery.values()), recovery
    recovered = json.loads((drill_dir / "recovery").glob("*/run.json").__next__().read_text())
    assert recovered["stages"]["history"]["ok"] > 0
    for run_doc in (fault_run, recovered):
        recon = run_doc["reconcile"]
        assert recon["source"] == "database" and recon["created"] > 0
        assert recon["unaccounted"] == []

    # the deadline sits between the index and the full scan, as measured
    note = next(n for n in doc["notes"] if "history query deadline" in n)
    assert "detection is not assured" not in note
    restore = (drill_dir / "restore.sql").read_text(encoding="utf-8")
    assert restore.upper().startswith("CREATE INDEX") and "transactions1" in restore.lower()
    assert _state(rt.db) == (True, 0)
    assert "transactions1" in (tmp_path / "drill.json").read_text(encoding="utf-8").lower()


@pytest.mark.parametrize(
    "stop", ["ctrl-c", "sigterm"], ids=["ctrl-c to the process group", "sigterm to driftline"]
)
def test_stopping_the_drill_during_the_fault_restores_the_index(rt_env, tmp_path, stop):
    rt = rt_env
    adapter = _adapter(tmp_path, **{"postgresql: 2000000": "postgresql: 0"})
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "driftline", "drill", "index-drop"),
            *("--system", str(adapter), "--target", rt.url, "--db", rt.db),
            *("-u", "2", "-t", "60s", "--out", str(out)),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ},
    )
    try:
        deadline = time.monotonic() + 120
        while not list(out.glob("drill-*/fault/*/")) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.5)
        assert list(out.glob("drill-*/fault/*/")), "the fault run never started"
        assert not _state(rt.db)[0], "the index should be dropped during the fault run"
        time.sleep(2)
        if stop == "ctrl-c":
            os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        else:
            os.kill(proc.pid, signal.SIGTERM)  # what a cancelled CI job or `kill` does
        _, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert _state(rt.db)[0], f"{stop} left transactions1 dropped"
