"""Plans captured from real servers: the dogfood drill (drop the pickup index, plan check fails
naming query, table, index and fix), --ci, recording, SQLite's fresh connection, diff output."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from driftline.cli import run
from driftline.db import make_engine
from driftline.plans.capture import capture, load_capture
from driftline.plans.queries import load_queries

HOT = Path(__file__).parents[2] / "reference_system" / "hot_queries.yaml"
PICKUP_IX = "ix_ticket_status_log_status_changed"
#: Small enough to seed in about a second, big enough for index plans on PostgreSQL.
TICKETS = 5000


def seeded(url: str) -> str:
    from reference_system.bootstrap import init_database
    from reference_system.config import load_config
    from reference_system.routing import load_routing
    from reference_system.seed import seed

    engine = make_engine(url)
    try:
        cfg = load_config(None)
        init_database(engine, cfg)
        seed(engine, load_routing(cfg.routing_file), TICKETS)
    finally:
        engine.dispose()
    return url


def execute(url: str, statement: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


@pytest.fixture(params=["postgresql", "sqlite"])
def refsys_url(request, tmp_path):
    url = request.getfixturevalue("pg_url" if request.param == "postgresql" else "sqlite_url")
    return seeded(url)


def test_dropped_pickup_index_fails_plan_check(refsys_url, tmp_path, capsys):
    baseline = tmp_path / "plans.yaml"
    assert run(["plan", "capture", "--db", refsys_url, "-q", str(HOT), "-o", str(baseline)]) == 0
    captured = load_capture(baseline)
    pickup = captured.queries["dispatch_pickup"].plans[0]
    assert PICKUP_IX in pickup.index_names()
    assert run(["plan", "check", "--db", refsys_url, "-b", str(baseline)]) == 0
    capsys.readouterr()

    execute(refsys_url, f"DROP INDEX {PICKUP_IX}")
    code = run(["plan", "check", "--db", refsys_url, "-b", str(baseline), "-f", "json"])
    out = capsys.readouterr().out
    assert code == 1
    report = yaml.safe_load(out)
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert {f["kind"] for f in errors} >= {"plan.index_missing", "plan.full_scan"}
    missing = next(f for f in errors if f["kind"] == "plan.index_missing")
    assert missing["object"] == "query dispatch_pickup"
    assert "ticket_status_log" in missing["message"] and PICKUP_IX in missing["message"]
    how = "CONCURRENTLY " if refsys_url.startswith("postgresql") else "IF NOT EXISTS "
    assert missing["fix"] == (
        f'CREATE INDEX {how}"{PICKUP_IX}" ON "ticket_status_log" ("status_code", "changed_at");'
    )


def test_sqlite_capture_sees_a_drop_made_on_another_connection(tmp_path):
    url = seeded(f"sqlite:///{tmp_path / 'r.db'}")
    queries = load_queries(HOT)
    before = capture(url, queries)
    engine = make_engine(url)  # a long-lived connection, like an application's
    with engine.connect() as conn:
        conn.exec_driver_sql(f"DROP INDEX {PICKUP_IX}")
        conn.commit()
        after = capture(url, queries)
    engine.dispose()
    assert PICKUP_IX in before.queries["dispatch_pickup"].plans[0].index_names()
    assert PICKUP_IX not in after.queries["dispatch_pickup"].plans[0].index_names()
    assert PICKUP_IX not in {i for t in after.catalog.tables.values() for i in t.indexes}


def test_ci_fails_on_unlisted_baseline_and_plain_check_records_it(tmp_path, sqlite_url, capsys):
    url = seeded(sqlite_url)
    baseline = tmp_path / "plans.yaml"
    data = yaml.safe_load(HOT.read_text())
    first = dict(data, queries=data["queries"][:1])
    (tmp_path / "one.yaml").write_text(yaml.safe_dump(first))
    assert (
        run(["plan", "capture", "--db", url, "-q", str(tmp_path / "one.yaml"), "-o", str(baseline)])
        == 0
    )
    args = ["plan", "check", "--db", url, "-b", str(baseline), "-q", str(HOT)]
    assert run([*args, "--ci", "-f", "json"]) == 1
    assert "plan.no_baseline" in capsys.readouterr().out
    assert len(load_capture(baseline).queries) == 1
    assert run(args) == 0
    assert len(load_capture(baseline).queries) == len(data["queries"])
    assert run([*args, "--ci"]) == 0


def test_mariadb_capture_and_check(mysql_url, tmp_path):
    url = seeded(mysql_url)
    baseline = tmp_path / "plans.yaml"
    assert run(["plan", "capture", "--db", url, "-q", str(HOT), "-o", str(baseline)]) == 0
    timeline = load_capture(baseline).queries["ticket_timeline"].plans[0]
    assert "ix_ticket_status_log_ticket_changed" in timeline.index_names()
    assert run(["plan", "check", "--db", url, "-b", str(baseline)]) == 0
    analyzed = capture(url, load_queries(HOT), analyze=True)  # MariaDB's ANALYZE FORMAT=JSON
    timeline = analyzed.queries["ticket_timeline"].plans[0]
    assert timeline.metrics["actual_ms"] >= 0
    assert any("actual_rows" in n.metrics for n in timeline.nodes())


def test_analyze_is_rolled_back_and_read_only(pg_url, tmp_path):
    url = seeded(pg_url)
    q = tmp_path / "q.yaml"
    q.write_text(
        "driftline: 1\nkind: queries\nqueries:\n"
        "  - name: timeline\n    sql: SELECT * FROM ticket_status_log WHERE ticket_id = :t\n"
        "    params: [{t: 10}]\n"
        "  - name: sneaky\n    sql: DELETE FROM ticket_status_log WHERE ticket_id = :t\n"
        "    params: [{t: 10}]\n"
    )
    queries = load_queries(q)
    result = capture(url, queries.queries[:1], analyze=True)
    assert result.queries["timeline"].plans[0].metrics["actual_ms"] >= 0
    assert (
        run(
            [
                "plan",
                "capture",
                "--db",
                url,
                "-q",
                str(q),
                "-o",
                str(tmp_path / "o.yaml"),
                "--analyze",
            ]
        )
        == 2
    )
    engine = make_engine(url)
    with engine.connect() as conn:
        left = conn.execute(sa.text("SELECT COUNT(*) FROM ticket_status_log WHERE ticket_id = 10"))
        assert left.scalar() > 0
    engine.dispose()


def test_diff_side_by_side_fits_100_columns(tmp_path, sqlite_url, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    url = seeded(sqlite_url)
    baseline = tmp_path / "plans.yaml"
    assert run(["plan", "capture", "--db", url, "-q", str(HOT), "-o", str(baseline)]) == 0
    other = tmp_path / "other.db"
    shutil.copy(url.removeprefix("sqlite:///"), other)
    execute(f"sqlite:///{other}", f"DROP INDEX {PICKUP_IX}")
    capsys.readouterr()
    assert run(["plan", "diff", str(baseline), str(other)]) == 1
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 100
    assert "dispatch_pickup" in out and "SCAN on ticket_status_log" in out
    assert run(["plan", "diff", str(baseline), str(other), "-f", "junit"]) == 1
    assert "<testsuite" in capsys.readouterr().out


def test_bad_inputs_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("driftline: 1\nkind: queries\nqueries:\n  - name: x\n")
    assert run(["plan", "capture", "--db", "x.db", "-q", str(bad), "-o", "o.yaml"]) == 2
    assert f"{bad}:4:" in capsys.readouterr().err
    assert run(["plan", "check", "--db", "x.db", "-b", str(tmp_path / "none.yaml")]) == 2
    assert run(["plan", "diff", "sqlite:///a.db", "sqlite:///b.db"]) == 2
    queries = str(HOT)
    missing = tmp_path / "missing.db"
    assert run(["plan", "capture", "--db", str(missing), "-q", queries, "-o", "o.yaml"]) == 2
    assert "no such SQLite file" in capsys.readouterr().err and not missing.exists()


def test_diff_of_two_databases_needs_and_uses_queries(tmp_path, sqlite_url, capsys):
    url = seeded(sqlite_url)
    other = tmp_path / "other.db"
    shutil.copy(url.removeprefix("sqlite:///"), other)
    execute(f"sqlite:///{other}", f"DROP INDEX {PICKUP_IX}")
    capsys.readouterr()
    code = run(["plan", "diff", url, str(other), "-q", str(HOT), "-f", "github"])
    out = capsys.readouterr().out
    assert code == 1
    assert f"file={HOT},line=7" in out and "plan.index_missing" in out
