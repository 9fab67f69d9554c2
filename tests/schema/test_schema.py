"""Schema check on the reference system (dogfood), exit codes, bad input, baselines, fleets."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from driftline.cli import run
from driftline.db import make_engine
from driftline.errors import BaselineError
from driftline.findings import Severity
from driftline.schema import check, diff_schemas, inspect, load_baseline, write_baseline
from driftline.schema.baseline import Baseline, IgnoreEntry
from reference_system.schema import create_schema
from tests.conftest import require_server

BASELINES = Path(__file__).resolve().parents[2] / "baselines"
DROP = {
    "sqlite": "DROP INDEX ix_ticket_status_log_status_changed",
    "postgresql": "DROP INDEX ix_ticket_status_log_status_changed",
    "mysql": "DROP INDEX ix_ticket_status_log_status_changed ON ticket_status_log",
}


def _fresh(url: str) -> str:
    engine = make_engine(url)
    create_schema(engine)
    engine.dispose()
    return url


def _dialect(url: str) -> str:
    return url.split(":")[0].split("+")[0]


def test_fresh_reference_system_matches_its_committed_baseline(any_db_url):
    url = _fresh(any_db_url)
    baseline = BASELINES / f"reference_system.{_dialect(url)}.yaml"
    assert check(url, baseline) == []
    assert run(["schema", "check", "--db", url, "--baseline", str(baseline)]) == 0


def test_dropped_status_index_fails_the_build_with_the_fix(any_db_url, capsys):
    url = _fresh(any_db_url)
    dialect = _dialect(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(DROP[dialect])
    engine.dispose()
    baseline = BASELINES / f"reference_system.{dialect}.yaml"
    code = run(["schema", "check", "--db", url, "-b", str(baseline), "-f", "json"])
    assert code == 1
    doc = json.loads(capsys.readouterr().out)
    [finding] = doc["findings"]
    assert finding["kind"] == "index.missing" and finding["severity"] == "error"
    assert finding["object"].endswith("ticket_status_log.ix_ticket_status_log_status_changed")
    assert "CREATE INDEX" in finding["fix"] and "status_code" in finding["fix"]


def test_snapshot_round_trips_through_yaml(pg_url, tmp_path):
    url = _fresh(pg_url)
    live = inspect(url)
    write_baseline(Baseline(live), tmp_path / "b.yaml")
    again = load_baseline(tmp_path / "b.yaml").schema
    assert again.tables == live.tables and again.views == live.views


def _catalog_queries(url: str, tables: int) -> int:
    """Catalog queries the server received while ``tables`` tables were inspected, read from
    libpq's protocol trace (the inspector runs them on the driver's own cursor)."""
    import tempfile

    import psycopg

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        for i in range(tables):
            conn.exec_driver_sql(f"CREATE TABLE t{i} (id int PRIMARY KEY, v int)")
            conn.exec_driver_sql(f"CREATE INDEX ix_t{i} ON t{i} (v)")
    with tempfile.TemporaryFile() as trace:

        def traced(dbapi_conn, _record):
            dbapi_conn.pgconn.trace(trace.fileno())
            dbapi_conn.pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS)

        engine.dispose()  # the next connection is a new one, traced from its start
        sa.event.listen(engine, "connect", traced)
        schema = inspect(engine)
        engine.dispose()
        trace.seek(0)
        messages = re.split(r"\n(?=[FB]\t)", trace.read().decode())
    assert len(schema.tables) == tables
    # every catalog query file starts with a comment saying what it reads
    sent = [m for m in messages if m.startswith("F\t")]
    return sum(1 for m in sent if '"-- ' in m and ("pg_" in m or "information_schema" in m))


def test_bulk_catalog_reads_do_not_grow_with_tables(pg_url):
    few = _catalog_queries(pg_url, 3)
    many = _catalog_queries(pg_url, 30)
    # tables, columns, constraints, operator classes, collations, indexes, sequences, the rest
    assert few == many == 8, (few, many)


def test_exit_codes_and_fail_on(sqlite_url, tmp_path, capsys):
    url = _fresh(sqlite_url)
    base = tmp_path / "b.yaml"
    assert run(["schema", "snapshot", "--db", url, "-o", str(base)]) == 0
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_ticket_action_agent")  # not critical: a warning
    engine.dispose()
    assert run(["schema", "check", "--db", url, "-b", str(base)]) == 0
    assert run(["schema", "check", "--db", url, "-b", str(base), "--fail-on", "warning"]) == 1


def test_password_is_never_printed(tmp_path, capsys):
    base = BASELINES / "reference_system.postgresql.yaml"
    for fmt in ("terminal", "json"):
        code = run(
            ["schema", "check", "--db", "postgresql://app:s3cr3t@127.0.0.1:1/x", "-b", str(base),
             "-f", fmt]
        )  # fmt: skip
        captured = capsys.readouterr()
        assert code == 2
        assert "s3cr3t" not in captured.err + captured.out
        assert "127.0.0.1:1" in captured.err and captured.err.count("\n") == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "driftline: 2\nkind: schema\ndialect: sqlite\n",
            "b.yaml:1: unsupported baseline version 2",
        ),
        ("driftline: 1\nkind: plans\n", "b.yaml:2: expected kind 'schema'"),
        ("driftline: 1\nkind: schema\ndialect: oracle\n", "b.yaml:3: unknown dialect 'oracle'"),
        ("driftline: 1\nkind: schema\ndialect: sqlite\ntables: [\n", "b.yaml:5: invalid YAML"),
        (
            "driftline: 1\nkind: schema\ndialect: sqlite\nignore:\n  - {object: index x}\n",
            "b.yaml:5: every ignore entry needs 'object' and a 'reason'",
        ),
    ],
)
def test_bad_baselines_are_one_line_with_file_and_line(tmp_path, capsys, text, message):
    (tmp_path / "b.yaml").write_text(text)
    with pytest.raises(BaselineError):
        load_baseline(tmp_path / "b.yaml")
    code = run(["schema", "check", "--db", str(tmp_path / "x.db"), "-b", str(tmp_path / "b.yaml")])
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1


def test_missing_catalog_permission_is_exit_2(pg_url, capsys):
    admin = make_engine(pg_url, isolation_level="AUTOCOMMIT")
    database = sa.engine.make_url(pg_url).database
    with admin.connect() as conn:
        conn.exec_driver_sql("DROP ROLE IF EXISTS dl_noaccess")
        conn.exec_driver_sql("CREATE ROLE dl_noaccess LOGIN")
        conn.exec_driver_sql(f'REVOKE CONNECT ON DATABASE "{database}" FROM PUBLIC')
    try:
        url = sa.engine.make_url(pg_url).set(username="dl_noaccess").render_as_string(False)
        base = BASELINES / "reference_system.postgresql.yaml"
        assert run(["schema", "check", "--db", url, "-b", str(base)]) == 2
        assert "permission denied" in capsys.readouterr().err
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'GRANT CONNECT ON DATABASE "{database}" TO PUBLIC')
            conn.exec_driver_sql("DROP ROLE IF EXISTS dl_noaccess")
        admin.dispose()


def test_ignore_with_reason_and_expiry(sqlite_url):
    url = _fresh(sqlite_url)
    base = Baseline(inspect(url))
    live = inspect(url)
    table = base.schema.tables["ticket_action"]
    extra = dict(table.indexes)
    extra.pop("ix_ticket_action_agent")
    from dataclasses import replace

    actual_tables = dict(live.tables)
    actual_tables["ticket_action"] = replace(table, indexes=extra)
    actual = replace(live, tables=actual_tables)
    obj = "index ticket_action.ix_ticket_action_agent"
    keep = IgnoreEntry(obj, "agent index rebuilt next sprint", dt.date(2099, 1, 1))
    assert diff_schemas(base.schema, actual, ignore=[keep]) == []
    gone = IgnoreEntry(obj, "agent index rebuilt next sprint", dt.date(2020, 1, 1), line=7)
    kinds = {f.kind for f in diff_schemas(base.schema, actual, ignore=[gone])}
    assert kinds == {"index.missing", "ignore.expired"}


def test_strict_fails_on_what_is_not_compared(sqlite_url, tmp_path):
    url = _fresh(sqlite_url)
    base = tmp_path / "b.yaml"
    run(["schema", "snapshot", "--db", url, "-o", str(base)])
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TRIGGER tr_touch AFTER UPDATE ON ticket BEGIN SELECT 1; END")
    engine.dispose()
    findings = check(url, base)
    assert [f.kind for f in findings] == ["not_compared"]
    assert findings[0].severity == Severity.INFO and "tr_touch" in findings[0].message
    assert run(["schema", "check", "--db", url, "-b", str(base), "--strict"]) == 1


def test_snapshot_from_sql_matches_the_live_database(pg_url, tmp_path):
    ddl = tmp_path / "schema.sql"
    ddl.write_text(
        "CREATE TABLE ticket (id BIGINT PRIMARY KEY, status_code VARCHAR(16) NOT NULL,"
        " created_at TIMESTAMPTZ NOT NULL);\n"
        "CREATE INDEX ix_ticket_status_created ON ticket (status_code, created_at);\n"
        "CREATE INDEX ix_open ON ticket (created_at) WHERE status_code IN ('NEW', 'REOPENED');\n"
    )
    base = tmp_path / "b.yaml"
    server = require_server("postgresql")
    assert run(["schema", "snapshot", "--from-sql", str(ddl), "--dialect", "postgres",
                "--scratch-server", server, "-o", str(base),
                "--critical-index", "IX_OPEN"]) == 0  # fmt: skip
    assert load_baseline(base).critical_indexes == {"public.ticket.ix_open"}
    engine = make_engine(pg_url)
    with engine.begin() as conn:
        for statement in ddl.read_text().split(";"):
            if statement.strip():
                conn.exec_driver_sql(statement)
    engine.dispose()
    assert check(pg_url, base) == []


def test_diff_two_databases_and_fleet(sqlite_url, tmp_path, capsys):
    a = _fresh(sqlite_url)
    b = _fresh(f"sqlite:///{tmp_path / 'b.db'}")
    engine = make_engine(b)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_ticket_status_log_status_changed")
    engine.dispose()
    assert run(["schema", "diff", "--db", a, "--db", b, "--fail-on", "warning"]) == 1
    capsys.readouterr()
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text(
        "driftline: 1\nkind: inventory\n"
        f"baseline: {BASELINES / 'reference_system.sqlite.yaml'}\n"
        f"databases:\n  - {{name: store-a, url: '{a}'}}\n  - {{name: store-b, url: '{b}'}}\n"
        "  - {name: store-c, url: 'postgresql://x:pw@127.0.0.1:1/nope',"
        f" baseline: {BASELINES / 'reference_system.postgresql.yaml'}}}\n"
    )
    assert run(["schema", "check", "--inventory", str(fleet), "-f", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    sources = {f["source"]: f["kind"] for f in doc["findings"]}
    assert sources == {"store-b": "index.missing", "store-c": "fleet.unreachable"}
    assert "pw@" not in json.dumps(doc)


def test_sqlite_check_constraints_are_compared(sqlite_url, tmp_path):
    """SQLite keeps CHECKs only in the CREATE TABLE text: they are parsed, not skipped."""
    engine = make_engine(sqlite_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE rating (id INTEGER PRIMARY KEY, stars INTEGER,"
            " CONSTRAINT ck_stars CHECK (stars BETWEEN 1 AND 5))"
        )
    run(["schema", "snapshot", "--db", sqlite_url, "-o", str(tmp_path / "b.yaml")])
    with engine.begin() as conn:  # a table rebuild that forgot the constraint
        conn.exec_driver_sql("ALTER TABLE rating RENAME TO rating_old")
        conn.exec_driver_sql("CREATE TABLE rating (id INTEGER PRIMARY KEY, stars INTEGER)")
        conn.exec_driver_sql("DROP TABLE rating_old")
    engine.dispose()
    [finding] = check(sqlite_url, tmp_path / "b.yaml")
    assert (finding.kind, finding.object) == ("check.missing", "check rating.ck_stars")
    assert 'CHECK ("stars" BETWEEN 1 AND 5)' in finding.fix


def test_driver_only_inspection_equals_the_sqlalchemy_one(pg_url):
    """The URL path (psycopg alone, indexes prefetched on a second session) and the engine path
    read the same schema; with no second session to be had, the first one reads everything."""
    from driftline import dialects
    from driftline.db import Timeouts, plain_url
    from driftline.schema.catalog import Prefetching

    url = _fresh(pg_url)
    engine = make_engine(url)
    through_sqlalchemy = inspect(engine)
    engine.dispose()
    assert inspect(url) == through_sqlalchemy
    assert len(through_sqlalchemy.tables) > 3
    d = dialects.of(url)
    nowhere = plain_url("postgresql://127.0.0.1:1/unreachable")
    with d.catalog_session(plain_url(url), Timeouts()) as conn:
        alone = Prefetching(
            conn, lambda: d.catalog_session(nowhere, Timeouts()), d.name, d.catalog_prefetch
        )
        assert d.inspect(alone, d.server_version(alone)) == through_sqlalchemy
