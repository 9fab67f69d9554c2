"""``--from-sql`` builds the DDL in a throwaway database: what users have (pg_dump 15 with its
``\\restrict`` line, ``ON ONLY`` indexes and COPY blocks; mysqldump with ``/*! */`` and
DELIMITER; sqlite3 ``.dump``) gives a baseline equal to the live snapshot, and the dump restored
with the database's own client checks clean."""

from __future__ import annotations

import dataclasses

import pytest

from driftline.cli import run
from driftline.db import make_engine
from driftline.schema import diff_schemas, inspect, load_baseline
from driftline.schema.fromsql import SCRATCH_ENV, schema_from_sql
from driftline.scratch import scratch_database
from tests.conftest import require_server
from tests.schema import dumps
from tests.schema.test_one_change_mysql_sqlite import MYSQL_BASE, SQLITE_BASE
from tests.schema.test_one_change_postgresql import BASE as PG_BASE

PG_EXTRA = """
CREATE TABLE events_2027 PARTITION OF events FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
CREATE INDEX ix_events_at ON events (at);
INSERT INTO parent (code, name) VALUES ('a', 'semi;colon'), ('b', E'back\\\\slash');
INSERT INTO child (parent_id, qty, note) VALUES (1, 2, '\\. not the end');
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql
  AS $$ BEGIN NEW.qty := NEW.qty; RETURN NEW; END $$;
CREATE TRIGGER t_child BEFORE UPDATE ON child FOR EACH ROW EXECUTE FUNCTION touch();
"""
MYSQL_EXTRA = """
INSERT INTO parent (code, name) VALUES ('a', 'semi;colon'), ('b', 'quote''s');
"""


def _same(a, b) -> None:
    a, b = dataclasses.replace(a, server_version=""), dataclasses.replace(b, server_version="")
    assert a.tables == b.tables
    assert (a.views, a.materialized_views, a.sequences) == (
        b.views,
        b.materialized_views,
        b.sequences,
    )
    assert (a.extensions, a.not_compared) == (b.extensions, b.not_compared)


def _exec_each(url: str, script: str) -> None:
    engine = make_engine(url, isolation_level="AUTOCOMMIT")
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        for statement in script.split(";\n"):
            if statement.strip():
                cur.execute(statement)
    finally:
        raw.close()
        engine.dispose()


def _round_trip(server: str, base: str, dialect: str, tmp_path) -> None:
    with scratch_database(server, prefix="dl_fromsql") as url:
        _exec_each(url, base)
        live = inspect(url)
        full = dumps.dump(url, tmp_path / "full.sql")
        ddl = dumps.dump(url, tmp_path / "schema.sql", schema_only=True)
    for path in (full, ddl):
        built = schema_from_sql(path, dialect, server)
        _same(built.schema, live)
        assert built.skipped == [] or all("skipped" in s for s in built.skipped), built.skipped
    with scratch_database(server, prefix="dl_restore") as url:
        dumps.load(url, full)
        assert [f for f in diff_schemas(live, inspect(url)) if f.kind != "not_compared"] == []
    return built


def test_pg_dump_round_trip(tmp_path):
    server = require_server("postgresql")
    base = PG_BASE.replace("VERSION '1.5'", "") + PG_EXTRA
    built = _round_trip(server, base, "postgresql", tmp_path)
    text = (tmp_path / "full.sql").read_text()
    assert "\\restrict" in text and "ON ONLY" in text and "FROM stdin;" in text
    assert all(":" in line and "skipped" in line for line in built.skipped)


def test_mysqldump_round_trip(tmp_path):
    server = require_server("mysql")
    base = MYSQL_BASE.replace("SELECT 1;", "BEGIN SELECT 1; SELECT 2; END;") + MYSQL_EXTRA
    built = _round_trip(server, base, "mysql", tmp_path)
    text = (tmp_path / "full.sql").read_text()
    assert "/*!" in text and "DELIMITER ;;" in text and "INSERT INTO" in text
    assert built.schema.not_compared == {"procedure": ("p_one",)}


def test_sqlite_dump_round_trip(tmp_path):
    db = tmp_path / "live.db"
    url = f"sqlite:///{db}"
    _exec_each(url, SQLITE_BASE + "INSERT INTO parent (code) VALUES ('a;b');\n")
    import sqlite3

    with sqlite3.connect(db) as raw:
        raw.execute("CREATE TRIGGER t_one AFTER INSERT ON child BEGIN SELECT 1; SELECT 2; END")
    raw.close()
    live = inspect(url)
    for schema_only in (False, True):
        path = dumps.dump(url, tmp_path / f"dump{schema_only}.sql", schema_only=schema_only)
        built = schema_from_sql(path, "sqlite")
        _same(built.schema, live)
        assert all("skipped 1 data statement" in line for line in built.skipped)
    restored = f"sqlite:///{tmp_path / 'restored.db'}"
    dumps.load(restored, tmp_path / "dumpFalse.sql")
    assert diff_schemas(live, inspect(restored)) == [
        f for f in diff_schemas(live, live) if f.kind == "not_compared"
    ]


def test_skipped_statements_are_one_line_each(tmp_path, capsys):
    ddl = tmp_path / "vendor.sql"
    ddl.write_text(
        "CREATE TABLE a (id int PRIMARY KEY);\n"
        "CREATE TABLE b (id int PRIMARY KEY) WITH NONSENSE;\n"
        "INSERT INTO a VALUES (1);\nINSERT INTO a VALUES (2);\n"
        "CREATE INDEX ix_a ON a (id);\n"
    )
    out = tmp_path / "b.yaml"
    assert run(["schema", "snapshot", "--from-sql", str(ddl), "--dialect", "sqlite", "-o",
                str(out), "--critical-index", "IX_A"]) == 0  # fmt: skip
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"{ddl}:2: skipped CREATE TABLE b (id int PRIMARY KEY) WITH")
    assert err[1] == f"{ddl}: skipped 2 data statement(s) (a baseline holds no rows)"
    assert len(err) == 2
    assert load_baseline(out).critical_indexes == {"a.ix_a"}


@pytest.mark.parametrize("text", ["", "-- nothing here\n", "SELECT 1;\n"])
def test_a_file_without_a_schema_is_an_error_not_an_empty_baseline(tmp_path, capsys, text):
    ddl = tmp_path / "empty.sql"
    ddl.write_text(text)
    code = run(["schema", "snapshot", "--from-sql", str(ddl), "--dialect", "sqlite",
                "-o", str(tmp_path / "b.yaml")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and str(ddl) in err and err.count("\n") == 1
    assert not (tmp_path / "b.yaml").exists()


def test_server_dialects_need_a_scratch_server(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv(SCRATCH_ENV, raising=False)
    ddl = tmp_path / "schema.sql"
    ddl.write_text("CREATE TABLE a (id int);\n")
    for dialect in ("postgres", "mariadb"):
        code = run(["schema", "snapshot", "--from-sql", str(ddl), "--dialect", dialect,
                    "-o", str(tmp_path / "b.yaml")])  # fmt: skip
        err = capsys.readouterr().err
        assert code == 2 and "--scratch-server" in err and err.count("\n") == 1
    mysql = "mysql://root@127.0.0.1/mysql"
    code = run(["schema", "snapshot", "--from-sql", str(ddl), "--dialect", "postgres",
                "--scratch-server", mysql, "-o", str(tmp_path / "b.yaml")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "--scratch-server is mysql, but the DDL is postgresql" in err
