"""URLs, redaction and read-only sessions against the real servers."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from driftline.db import (
    canonical_dialect,
    connect_check,
    describe,
    make_engine,
    parse_url,
    read_only,
    redact,
    server_version,
)
from driftline.errors import ConnectionFailed, UsageError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "postgresql://app:s3cr3t@db.example:5432/tickets",
            "postgresql://app:***@db.example:5432/tickets",
        ),
        ("mysql+pymysql://root:p%40ss@h/db", "mysql+pymysql://root:***@h/db"),
        ("host=db password=hunter2 user=x", "host=db password=*** user=x"),
        ("no secrets here", "no secrets here"),
    ],
)
def test_redact(text, expected):
    assert redact(text) == expected


def test_parse_url_adds_drivers_and_accepts_sqlite_paths():
    assert parse_url("postgresql://h/db").drivername == "postgresql+psycopg"
    assert parse_url("postgres://h/db").drivername == "postgresql+psycopg"
    assert parse_url("mariadb://h/db").drivername == "mysql+pymysql"
    assert parse_url("tickets.db").database == "tickets.db"
    assert parse_url(None).drivername == "sqlite"


def test_unknown_dialect_suggests_the_right_one():
    with pytest.raises(UsageError, match="did you mean 'postgres'"):
        canonical_dialect("postgress")
    with pytest.raises(UsageError):
        parse_url("oracle://h/db")


def test_describe_never_shows_the_password():
    name = describe("postgresql://app:s3cr3t@db.example:5433/tickets")
    assert name == "postgresql://db.example:5433/tickets" and "s3cr3t" not in name


def test_unreachable_host_is_one_clear_error_without_password():
    engine = make_engine("postgresql://app:s3cr3t@127.0.0.1:1/tickets")
    with pytest.raises(ConnectionFailed) as info:
        connect_check(engine)
    message = str(info.value)
    assert "127.0.0.1:1/tickets" in message and "s3cr3t" not in message
    assert "\n" not in message


def _write_is_refused(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    with read_only(engine) as conn:
        assert server_version(conn)
        with pytest.raises(sa.exc.DBAPIError):
            conn.exec_driver_sql("INSERT INTO t (id) VALUES (1)")
    with read_only(engine) as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM t").scalar() == 0
    engine.dispose()


def test_read_only_refuses_writes(any_db_url):
    _write_is_refused(any_db_url)


def test_read_only_statement_timeout_on_postgresql(pg_url):
    from driftline.db import Timeouts

    engine = make_engine(pg_url)
    with read_only(engine, Timeouts(statement_ms=50)) as conn, pytest.raises(sa.exc.DBAPIError):
        conn.exec_driver_sql("SELECT pg_sleep(2)")
    engine.dispose()


def test_read_only_statement_timeout_on_sqlite(sqlite_url):
    from driftline.db import Timeouts

    engine = make_engine(sqlite_url)
    slow = (
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000000) "
        "SELECT COUNT(*) FROM c"
    )
    with read_only(engine, Timeouts(statement_ms=50)) as conn, pytest.raises(sa.exc.DBAPIError):
        conn.exec_driver_sql(slow)
    engine.dispose()


PLAIN_OR_NOT = [
    "postgresql://postgres@127.0.0.1:5432/db",
    "postgres://u:p%40ss@h/db?sslmode=require&application_name=x",
    "pg://h/db",
    "postgresql+psycopg://u:pw@h:5/d",
    "postgresql://h",
    "postgresql:///db?host=/tmp",
    "postgresql://u@h/d%20b",
    "postgresql://u:@h/db",
    "postgresql://u%3Aa@h/db?options=-c%20x%3Dy",
    "mariadb+pymysql://r@h/d",
    # SQLAlchemy reads these in its own way: the plain reader leaves them to it
    "postgresql://u:p/w@h/db",
    "postgresql://u:p@w@h/db",
    "postgresql://[::1]:5432/db",
    "postgresql://u@h/db?a=1&a=2",
    "postgresql://u@h:abc/db",
    "sqlite:///x.db",
    "ticket.db",
]


@pytest.mark.parametrize("url", PLAIN_OR_NOT)
def test_plain_url_reads_what_sqlalchemy_reads_or_declines(url):
    from driftline.db import plain_url

    plain = plain_url(url)
    if plain is None:
        return
    parsed = parse_url(url)
    assert (plain.drivername, plain.username, plain.password, plain.host, plain.port) == (
        parsed.drivername,
        parsed.username,
        parsed.password,
        parsed.host,
        parsed.port,
    )
    assert plain.database == parsed.database and dict(plain.query) == dict(parsed.query)
    assert describe(plain) == describe(parsed)
    assert plain.render_as_string().count("***") == (plain.password is not None)


def test_plain_url_declines_what_it_cannot_read_alike():
    from driftline.db import plain_url

    declined = [u for u in PLAIN_OR_NOT if plain_url(u) is None]
    assert declined == PLAIN_OR_NOT[-7:]


def test_driver_only_catalog_session_is_read_only_with_timeouts(pg_url):
    import psycopg

    from driftline import dialects
    from driftline.db import Timeouts, plain_url
    from driftline.errors import DatabaseTimeout

    url = plain_url(pg_url)
    session = dialects.of(url).catalog_session(url, Timeouts(statement_ms=50))
    with session as conn:
        assert conn.execute("SHOW transaction_read_only").fetchone()[0] == "on"
        assert conn.execute("SHOW lock_timeout").fetchone()[0] == "2s"
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("CREATE TABLE t (id int)")
    slow = dialects.of(url).catalog_session(url, Timeouts(statement_ms=50))
    with pytest.raises(DatabaseTimeout, match="statement timeout of 50 ms"), slow as conn:
        conn.execute("SELECT pg_sleep(2)")


def test_driver_only_session_unreachable_is_one_line_without_password():
    from driftline import dialects
    from driftline.db import Timeouts, plain_url

    url = plain_url("postgresql://app:s3cr3t@127.0.0.1:1/tickets")
    session = dialects.of(url).catalog_session(url, Timeouts())
    with pytest.raises(ConnectionFailed) as info, session:
        pass
    message = str(info.value)
    assert "127.0.0.1:1/tickets" in message and "s3cr3t" not in message
    assert "\n" not in message
