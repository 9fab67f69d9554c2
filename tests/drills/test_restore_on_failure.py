"""A drill that stops once its fault is in still undoes the fault, and the user still gets the
error that stopped it: one line, the project's exit code.

A small database (a few hundred tickets) makes these take seconds: the drill stops before or
instead of its stress runs, which is the point.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from driftline.cli import run
from driftline.db import make_engine
from driftline.drills import faults, runner
from driftline.drills.undo import RestoreFailed, undone_on_exit
from driftline.errors import RunError
from driftline.scratch import scratch_database
from tests.conftest import require_server

INDEX = faults.STATUS_INDEX
SMALL = ["--tickets", "300", "--users", "2", "--duration", "5s"]


@pytest.fixture(params=["sqlite", "postgresql"])
def refsys_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'refsys.db'}"
        return
    with scratch_database(require_server("postgresql"), prefix="dl_undo") as url:
        yield url


def _has_status_index(url: str) -> bool:
    engine = make_engine(url)
    try:
        names = {i["name"] for i in sa.inspect(engine).get_indexes("ticket_status_log")}
    finally:
        engine.dispose()
    return INDEX in names


def _one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert "internal error" not in err and "Traceback" not in err
    return err


def test_bad_thresholds_file_stops_the_drill_with_the_index_back(refsys_url, tmp_path, capsys):
    """The stress run under the fault refuses the thresholds file: the index must be back."""
    bad = tmp_path / "thresholds.yaml"
    bad.write_text("driftline: 1\nstages:\n  dispatch: {p95_msec: 2000}\n", encoding="utf-8")
    argv = ["drill", "index-drop", "--db", refsys_url, "--out", str(tmp_path), *SMALL]
    assert run([*argv, "--thresholds", str(bad)]) == 2
    err = _one_line(capsys)
    assert err.startswith(f"driftline: error: {bad}:3: ") and "p95_msec" in err
    assert _has_status_index(refsys_url)


def test_interrupted_drill_restores_the_index_and_exits_130(
    refsys_url, tmp_path, capsys, monkeypatch
):
    def interrupted(*_args, **_kwargs):
        # the fault is in when the stress run starts: Ctrl-C arrives in the middle of it
        assert not _has_status_index(refsys_url)
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "stress_run", interrupted)
    argv = ["drill", "index-drop", "--db", refsys_url, "--out", str(tmp_path), *SMALL]
    assert run(argv) == 130  # as any Ctrl-C: the terminal shows ^C, driftline adds nothing
    assert "Traceback" not in capsys.readouterr().err
    assert _has_status_index(refsys_url)


def test_a_restore_that_fails_says_so_with_the_original_error_and_what_is_left(
    tmp_path, capsys, monkeypatch
):
    url = f"sqlite:///{tmp_path / 'refsys.db'}"

    def run_fails_and_table_is_gone(*_args, **_kwargs):
        # the table goes too, so re-creating its index cannot work
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE ticket_status_log")
        engine.dispose()
        raise RunError("the load generator died")

    monkeypatch.setattr(runner, "stress_run", run_fails_and_table_is_gone)
    argv = ["drill", "index-drop", "--db", url, "--out", str(tmp_path), *SMALL]
    assert run(argv) == 2
    err = _one_line(capsys)
    assert err.startswith("driftline: error: the load generator died; then the fault could not")
    assert "no such table" in err and str(tmp_path / "refsys.db") in err
    restore_sql = next(tmp_path.glob("drill-index-drop-*/restore.sql"))
    assert f"run {restore_sql} against sqlite:///" in err
    assert restore_sql.read_text().startswith(f"CREATE INDEX {INDEX} ON ticket_status_log")


def test_empty_roster_is_refilled_when_the_stress_run_fails(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'refsys.db'}"
    runs = []

    def no_stress_run(*args, **kwargs):
        runs.append(args)
        raise RunError("no load generator here")

    monkeypatch.setattr(runner, "stress_run", no_stress_run)
    options = runner.DrillOptions(db=url, out=tmp_path, tickets=300, users=2, duration_s=5.0)
    with pytest.raises(RunError, match="no load generator here"):
        runner.run_drill("empty-roster", options)
    assert len(runs) == 1
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            empty = conn.execute(
                sa.text(
                    "SELECT COUNT(*) FROM duty_roster WHERE department = :d "
                    "AND role = 'primary' AND shift_end_min = 0"
                ),
                {"d": faults.EMPTY_DEPARTMENT},
            ).scalar()
    finally:
        engine.dispose()
    assert empty == 0


def test_the_fault_is_undone_once_on_every_path():
    calls: list[str] = []
    with undone_on_exit(lambda: calls.append("restore"), "nothing left") as undo:
        undo()
        undo()
    assert calls == ["restore"]
    with pytest.raises(ValueError), undone_on_exit(lambda: calls.append("again"), "-") as undo:
        undo()
        raise ValueError("after the restore")
    assert calls == ["restore", "again"]


def test_a_restore_failing_on_the_normal_path_is_one_error():
    def broken() -> None:
        raise OSError("disk gone")

    with pytest.raises(RestoreFailed) as caught, undone_on_exit(broken, "run restore.sql"):
        pass
    assert str(caught.value) == (
        "the fault could not be undone (internal error: OSError: disk gone): run restore.sql"
    )
    assert caught.value.exit_code == 2


def test_the_faults_restore_sql_is_what_restore_runs(tmp_path):
    """restore.sql, run by hand on a damaged database, puts back what the drill's restore does."""
    url = f"sqlite:///{tmp_path / 'refsys.db'}"
    runner.prepare(url, 50, lambda _m: None)
    engine = make_engine(url)
    try:
        fault = faults.get_fault("index-drop")
        fault.inject(engine)
        assert not _has_status_index(url)
        with engine.begin() as conn:
            conn.exec_driver_sql(faults.status_index_sql(engine).rstrip().rstrip(";"))
        assert _has_status_index(url)
    finally:
        engine.dispose()


def test_an_interrupted_restore_says_what_is_left_and_exits_130():
    def interrupted() -> None:
        raise KeyboardInterrupt

    with pytest.raises(RestoreFailed) as caught, undone_on_exit(interrupted, "run restore.sql"):
        pass
    assert str(caught.value) == "the fault could not be undone (interrupted): run restore.sql"
    assert caught.value.exit_code == 130


def test_sigterm_during_the_stress_run_restores_the_index(tmp_path):
    """A cancelled CI job: SIGTERM while the stress run under the fault is on."""
    import signal
    import sqlite3
    import subprocess
    import sys
    import time

    db = tmp_path / "refsys.db"
    argv = [sys.executable, "-m", "driftline", "drill", "index-drop", "--db", str(db)]
    argv += ["--out", str(tmp_path), "--tickets", "300", "--users", "2", "--duration", "60s"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if list(tmp_path.glob("drill-index-drop-*/fault/*/refsys.log")):
                break  # the fault is in and its stress run has started
            time.sleep(0.2)
        assert proc.poll() is None, proc.communicate()
        conn = sqlite3.connect(db)
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        conn.close()
        assert INDEX not in names
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "internal error" not in err
    assert _has_status_index(f"sqlite:///{db}")


def test_a_database_dropped_mid_drill_is_one_line_naming_it(tmp_path, capsys, monkeypatch):
    """The database goes away under the fault: the restore cannot connect, and says so."""
    server = require_server("postgresql")
    with scratch_database(server, prefix="dl_gone") as url:
        name = sa.engine.make_url(url).database

        def database_dropped(*_args, **_kwargs):
            admin = make_engine(server, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
            admin.dispose()
            raise RunError("the reference system stopped")

        monkeypatch.setattr(runner, "stress_run", database_dropped)
        argv = ["drill", "index-drop", "--db", url, "--out", str(tmp_path), *SMALL]
        assert run(argv) == 2
    err = _one_line(capsys)
    where = f"postgresql://127.0.0.1:5432/{name}"
    assert err.startswith("driftline: error: the reference system stopped; then the fault could")
    assert f"(cannot connect to {where}: " in err and "does not exist" in err
    assert err.endswith(f" against {where} to undo it")
