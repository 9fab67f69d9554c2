"""``driftline refsys init|seed|serve``: the commands a user runs, end to end."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx
import sqlalchemy as sa

from driftline.cli import run
from reference_system import schema as s
from tests.refsys.conftest import NEW_TICKET


def _count(url, table):
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()
    finally:
        engine.dispose()


def test_init_then_seed_with_a_seed_is_repeatable(sqlite_url, tmp_path, capsys):
    assert run(["refsys", "init", "--db", sqlite_url]) == 0
    assert sa.inspect(sa.create_engine(sqlite_url)).has_table("ticket_status_log")
    args = ["-n", "300", "--days", "5", "--seed", "2"]
    assert run(["refsys", "seed", "--db", sqlite_url, *args]) == 0
    assert "seeded 300 tickets" in capsys.readouterr().out
    other = f"sqlite:///{tmp_path / 'other.db'}"
    assert run(["refsys", "seed", "--db", other, *args]) == 0
    assert _count(sqlite_url, s.ticket) == _count(other, s.ticket) == 300
    assert _count(sqlite_url, s.ticket_status_log) == _count(other, s.ticket_status_log) >= 1500


def test_bad_arguments_and_unreachable_database_exit_2(sqlite_url, capsys):
    assert run(["refsys", "seed", "--db", sqlite_url, "--tickets", "0"]) == 2
    assert "--tickets" in capsys.readouterr().err
    assert run(["refsys", "init", "--db", "postgresql://nobody@127.0.0.1:1/nowhere"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("driftline: error:") and "Traceback" not in err


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_runs_the_api_and_the_dispatcher_in_one_process(sqlite_url, tmp_path):
    config = tmp_path / "refsys.yaml"
    config.write_text("dispatch:\n  interval_ms: 100\nsweeper:\n  interval_ms: 100\n")
    port = _free_port()
    command = ["refsys", "serve", "--db", sqlite_url, "--port", str(port), "--config", str(config)]
    server = subprocess.Popen(
        [sys.executable, "-m", "driftline", *command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # start-up is slow on a loaded machine
        while True:
            try:
                health = httpx.get(f"{base}/healthz", timeout=1).json()
                break
            except httpx.HTTPError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "server did not come up"
                time.sleep(0.2)
        assert health["dispatcher"]["enabled"] and health["sweeper"]["enabled"]
        created = httpx.post(f"{base}/tickets", json=NEW_TICKET, timeout=5)
        assert created.status_code == 201
        ticket_id = created.json()["id"]
        dispatch_deadline = time.monotonic() + 60
        while (ticket := httpx.get(f"{base}/tickets/{ticket_id}").json())["status_code"] == "NEW":
            assert time.monotonic() < dispatch_deadline, "never dispatched"
            time.sleep(0.1)
        assert ticket["status_code"] == "ASSIGNED" and ticket["assignee_id"]
    finally:
        server.terminate()
        server.wait(timeout=20)
