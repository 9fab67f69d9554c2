"""A table another session holds locked: plan check gives up after the lock timeout with one
line naming the host (never the password), the lock and the option that waits longer."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from driftline.cli import run
from driftline.db import make_engine, parse_url

QUERIES = """driftline: 1
kind: queries
queries:
  - name: by_state
    sql: SELECT id FROM ticket WHERE state = :state
    params:
      - {state: "NEW"}
"""


@contextlib.contextmanager
def _locked(url: str) -> Iterator[None]:
    """Hold the strongest lock each database has on ``ticket`` from a second session."""
    if url.startswith("sqlite"):
        conn = sqlite3.connect(parse_url(url).database, isolation_level=None)
        conn.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            conn.close()
        return
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if url.startswith("mysql"):
                conn.exec_driver_sql("LOCK TABLES ticket WRITE")
            else:
                conn.begin()
                conn.exec_driver_sql("LOCK TABLE ticket IN ACCESS EXCLUSIVE MODE")
            yield
            conn.rollback()
    finally:
        engine.dispose()


def _with_password(url: str) -> str:
    # PostgreSQL here trusts local connections, so a password in the URL is ignored by the server
    # but must still never be printed; MariaDB's root has none and would refuse one.
    if url.startswith("postgresql"):
        return url.replace("://postgres@", "://postgres:lock-test-pw@", 1)
    return url


@pytest.mark.parametrize(
    "db",
    [
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
    ],
)
def test_a_held_lock_is_one_line_naming_host_and_option(db, request, tmp_path, capsys):
    url = request.getfixturevalue(
        {"sqlite": "sqlite_url", "postgresql": "pg_url"}.get(db, "mysql_url")
    )
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE ticket (id INTEGER PRIMARY KEY, state VARCHAR(20))")
        conn.exec_driver_sql("CREATE INDEX ix_state ON ticket (state)")
    engine.dispose()
    (tmp_path / "q.yaml").write_text(QUERIES)
    base = ["--db", _with_password(url), "-q", str(tmp_path / "q.yaml")]
    assert run(["plan", "capture", *base, "-o", str(tmp_path / "p.yaml")]) == 0
    capsys.readouterr()

    with _locked(url):
        started = time.monotonic()
        code = run(
            ["plan", "check", *base, "-b", str(tmp_path / "p.yaml"), "--lock-timeout-ms", "1000"]
        )
        elapsed = time.monotonic() - started
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert len(err.splitlines()) == 1, err
    assert "internal error" not in err and "lock-test-pw" not in err
    where = "test.db" if db == "sqlite" else "127.0.0.1:"
    assert where in err and "another session holds a lock" in err, err
    assert "--lock-timeout-ms" in err or db == "sqlite", err
    assert elapsed < 60, elapsed  # the lock timeout, not the lock holder, ended it

    # released: the same check passes
    assert run(["plan", "check", *base, "-b", str(tmp_path / "p.yaml")]) == 0, capsys.readouterr()


def test_timeout_kinds_of_each_dialect():
    """The mapping reads the drivers' own error codes and texts."""
    import psycopg
    import pymysql

    from driftline import dialects

    pg, my, lite = (dialects.get(n) for n in ("postgresql", "mysql", "sqlite"))
    assert pg.timeout_kind(psycopg.errors.LockNotAvailable("x")) == "lock"
    assert my.timeout_kind(pymysql.err.OperationalError(1205, "Lock wait timeout")) == "lock"
    assert my.timeout_kind(pymysql.err.OperationalError(1969, "max_statement_time")) == "statement"
    assert lite.timeout_kind(sqlite3.OperationalError("database is locked")) == "lock"
    assert lite.timeout_kind(sqlite3.OperationalError("interrupted")) == "statement"
    assert pg.timeout_kind(sa.exc.ArgumentError("x")) is None


SLOW = """driftline: 1
kind: queries
queries:
  - name: slow
    sql: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 50000000)
      SELECT count(*) FROM c"
    params:
      - {}
"""


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_statement_timeout_is_one_line_naming_host_and_option(db, request, tmp_path, capsys):
    url = request.getfixturevalue({"sqlite": "sqlite_url", "postgresql": "pg_url"}[db])
    make_engine(url).dispose()
    if db == "sqlite":
        sqlite3.connect(parse_url(url).database).close()
    (tmp_path / "slow.yaml").write_text(SLOW)
    argv = ["plan", "capture", "--db", url, "-q", str(tmp_path / "slow.yaml")]
    argv += ["-o", str(tmp_path / "c.yaml"), "--analyze", "--runs", "1"]
    code = run([*argv, "--statement-timeout-ms", "50"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1, err
    assert "stopped by the statement timeout of 50 ms" in err, err
    assert "query 'slow'" in err and "--statement-timeout-ms" in err


@pytest.mark.parametrize(
    "db",
    [
        pytest.param("postgresql", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
    ],
)
def test_a_drill_that_cannot_get_its_lock_gives_up_in_one_line(db, request):
    """A drill's DROP INDEX waits a bounded time for a lock another session holds."""
    from driftline.drills import index_fault
    from driftline.errors import DatabaseTimeout

    url = request.getfixturevalue("pg_url" if db == "postgresql" else "mysql_url")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE ticket (id INTEGER PRIMARY KEY, state VARCHAR(20))")
        conn.exec_driver_sql("CREATE INDEX ix_state ON ticket (state)")
    index = index_fault.index_ddl(engine, "ix_state", "ticket")
    try:
        with _locked(url):
            started = time.monotonic()
            with pytest.raises(DatabaseTimeout) as caught:
                index_fault.drop(engine, index)
            elapsed = time.monotonic() - started
    finally:
        engine.dispose()
    message = str(caught.value)
    assert "\n" not in message and "127.0.0.1:" in message, message
    assert "another session holds a lock" in message and "DROP INDEX" in message, message
    assert "--lock-timeout-ms" not in message  # the drill has no such option
    assert elapsed < 60, elapsed
