"""A database error met outside a read-only session (a drill's or the demo's writes, a lost
connection) is the project's one line naming the database, exit 2: never ``internal error``, a
traceback (unless ``--debug``) or a password."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from driftline.cli import run
from driftline.db import database_failure, make_engine
from driftline.errors import ConnectionFailed, DatabaseFailed
from driftline.scratch import scratch_database
from tests.conftest import require_server

SMALL = ["--users", "2", "--duration", "5s"]
COMMANDS = [["drill", "index-drop", *SMALL], ["demo", *SMALL], ["refsys", "init"]]


def _admin(url: str, sql: str) -> None:
    engine = make_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(sql)
    finally:
        engine.dispose()


@pytest.fixture
def unprivileged_url():
    """A database the role may connect to but not create tables in (PostgreSQL 15+), and the
    role's URL with a password the trusting server ignores."""
    server = require_server("postgresql")
    role = f"dl_noperm_{uuid.uuid4().hex[:8]}"
    _admin(server, f'CREATE ROLE "{role}" LOGIN')
    try:
        with scratch_database(server, prefix="dl_noperm") as url:
            _admin(url, f'REVOKE CREATE ON SCHEMA public FROM PUBLIC, "{role}"')
            parsed = sa.engine.make_url(url).set(username=role, password="s3cret-pw")
            yield parsed.render_as_string(hide_password=False)
    finally:
        _admin(server, f'DROP ROLE IF EXISTS "{role}"')


def _one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert "internal error" not in err and "Traceback" not in err
    return err


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_role_without_privileges_is_one_line_exit_2(
    unprivileged_url, tmp_path, capsys, monkeypatch, command
):
    monkeypatch.chdir(tmp_path)
    assert run([*command, "--db", unprivileged_url]) == 2
    err = _one_line(capsys)
    database = sa.engine.make_url(unprivileged_url).database
    assert err.startswith(f"driftline: error: postgresql://127.0.0.1:5432/{database}: ")
    assert "permission denied for schema public" in err
    assert "s3cret-pw" not in err


def test_debug_shows_the_traceback(unprivileged_url, tmp_path, capsys):
    argv = ["--debug", "drill", "index-drop", "--db", unprivileged_url, "--out", str(tmp_path)]
    assert run(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "InsufficientPrivilege" in err
    assert err.strip().splitlines()[-1].startswith("driftline: error: postgresql://")


@pytest.mark.parametrize("dialect", ["postgresql", "mysql"])
def test_another_applications_database_is_one_line_exit_2(dialect, tmp_path, capsys):
    """A table of the reference system's name but not its columns: the writes fail."""
    with scratch_database(require_server(dialect), prefix="dl_other") as url:
        _admin(url, "CREATE TABLE sla_policy (x INTEGER)")
        assert run(["drill", "index-drop", "--db", url, "--out", str(tmp_path), *SMALL]) == 2
        err = _one_line(capsys)
        database = sa.engine.make_url(url).database
        assert f"driftline: error: {dialect}://127.0.0.1:" in err and f"/{database}: " in err
        assert "priority" in err  # the column the reference system writes


def test_a_connection_lost_mid_way_names_the_database():
    with scratch_database(require_server("postgresql"), prefix="dl_lost") as url:
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
                _admin(url, f"SELECT pg_terminate_backend({pid})")
                with pytest.raises(sa.exc.DBAPIError) as caught:
                    conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        finally:
            engine.dispose()
    mapped = database_failure(caught.value)
    assert isinstance(mapped, ConnectionFailed)
    name = sa.engine.make_url(url).database
    assert str(mapped).startswith(f"lost the connection to postgresql://127.0.0.1:5432/{name}: ")


def test_an_unreachable_server_and_an_untagged_error():
    engine = make_engine("postgresql://postgres:pw-9@127.0.0.1:1/nowhere")
    try:
        with pytest.raises(sa.exc.DBAPIError) as caught, engine.begin() as conn:
            conn.exec_driver_sql("SELECT 1")
    finally:
        engine.dispose()
    mapped = database_failure(caught.value)
    assert isinstance(mapped, ConnectionFailed)
    assert str(mapped).startswith("cannot connect to postgresql://127.0.0.1:1/nowhere: ")
    assert "pw-9" not in str(mapped)
    assert database_failure(ValueError("not a database error")) is None
    raw = sa.exc.OperationalError("SELECT 1", {}, Exception("gone"))  # from no driftline engine
    assert isinstance(database_failure(raw), DatabaseFailed)
