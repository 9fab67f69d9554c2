"""Plans from where DBAs have them, on a private PostgreSQL cluster preloading pg_stat_statements
and auto_explain (the shared server is never reconfigured): generic plans of the top statements,
and auto_explain logs (text and JSON) imported into dated captures that ``plan diff`` compares.
"""

from __future__ import annotations

import pytest
import yaml

from driftline.cli import run
from driftline.db import make_engine
from driftline.findings import Severity
from driftline.pgcluster import PgCluster
from driftline.plans.autoexplain import captures_by_day, query_name, read_log
from driftline.plans.capture import load_capture
from driftline.plans.check import check
from driftline.plans.pgss import capture_top

SETTINGS = {
    "shared_preload_libraries": "pg_stat_statements, auto_explain",
    "auto_explain.log_min_duration": "0",
    "auto_explain.log_analyze": "on",
    "auto_explain.log_buffers": "on",
    "log_line_prefix": "%m [%p] ",
}
SETUP = """
CREATE EXTENSION pg_stat_statements;
CREATE TABLE item (id int PRIMARY KEY, g int NOT NULL, pad text NOT NULL);
INSERT INTO item SELECT i, mod(i, 1000), repeat('x', 80) FROM generate_series(1, 200000) i;
CREATE INDEX ix_item_g ON item (g);
ANALYZE item;
"""
WORKLOAD = [f"SELECT pad FROM item WHERE id = {i}" for i in range(1, 40)]
WORKLOAD += [f"SELECT count(pad) FROM item WHERE g = {i}" for i in range(1, 20)]


def execute(url: str, *statements: str, log_format: str = "text") -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f"SET auto_explain.log_format = {log_format}")
            for statement in statements:
                conn.exec_driver_sql(statement)
            conn.commit()
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def cluster():
    with PgCluster(settings=SETTINGS) as cluster:
        execute(cluster.url(), SETUP)
        execute(cluster.url(), "SELECT pg_stat_statements_reset()")
        yield cluster


def test_generic_plans_of_the_top_statements(cluster, tmp_path):
    url = cluster.url()
    execute(url, *WORKLOAD)
    captured = capture_top(url, top=5)
    sqls = {qp.query.sql: qp for qp in captured.queries.values()}
    by_id = next(qp for sql, qp in sqls.items() if "WHERE id = $1" in sql)
    by_g = next(qp for sql, qp in sqls.items() if "WHERE g = $1" in sql)
    assert by_id.query.generic and by_id.query.name.startswith("pgss_")
    assert "calls" in by_id.query.description
    assert [str(a) for a in by_id.plans[0].access()] == ["pk_lookup on item via item_pkey"]
    assert "ix_item_g" in by_g.plans[0].index_names()
    path = captured.save(tmp_path / "pgss.yaml")
    assert load_capture(path).queries[by_g.query.name].query.generic

    # The capture is a baseline like any other: healthy, then the index goes.
    assert [f for f in check(url, path, ci=True).findings if f.severity >= Severity.WARNING] == []
    execute(url, "DROP INDEX ix_item_g")
    try:
        found = check(url, path, ci=True).findings
        missing = [f for f in found if f.kind == "plan.index_missing"]
        assert missing and missing[0].details["query"] == by_g.query.name
        assert missing[0].severity is Severity.ERROR and "ix_item_g" in (missing[0].fix or "")
    finally:
        execute(url, "CREATE INDEX ix_item_g ON item (g)", "ANALYZE item")


def test_cli_capture_from_pg_stat_statements(cluster, tmp_path, capsys):
    out = tmp_path / "top.yaml"
    args = ["plan", "capture", "--db", cluster.url(), "--from-pg-stat-statements", "--top", "2"]
    assert run([*args, "-o", str(out)]) == 0
    assert len(load_capture(out).queries) <= 2
    assert run(["plan", "capture", "--db", cluster.url(), "-o", str(out)]) == 2
    assert "--from-pg-stat-statements" in capsys.readouterr().err


def _log_between(cluster, action) -> str:
    """The server log written while ``action`` runs."""
    before = cluster.log_file.stat().st_size
    action()
    with cluster.log_file.open(encoding="utf-8", errors="replace") as log:
        log.seek(before)
        return log.read()


def test_auto_explain_text_and_json_read_alike(cluster, tmp_path):
    url = cluster.url()
    statements = ["SELECT pad FROM item WHERE id = 7", "SELECT count(pad) FROM item WHERE g = 3"]
    text = _log_between(cluster, lambda: execute(url, *statements))
    as_json = _log_between(cluster, lambda: execute(url, *statements, log_format="json"))
    (tmp_path / "text.log").write_text(text)
    (tmp_path / "json.log").write_text(as_json)
    from_text = {e.query: e for e in read_log(tmp_path / "text.log")}
    from_json = {e.query: e for e in read_log(tmp_path / "json.log")}
    assert set(statements) <= set(from_text) and set(statements) <= set(from_json)
    for sql in statements:
        a, b = from_text[sql].plan, from_json[sql].plan
        assert a.shape_hash() == b.shape_hash()
        assert a.access() == b.access() and a.access()
        for x, y in zip(a.nodes(), b.nodes(), strict=True):
            assert x.detail == y.detail
            assert x.metrics.get("actual_rows") == y.metrics.get("actual_rows")
            assert ("time_ms" in x.metrics) == ("time_ms" in y.metrics)
        assert from_text[sql].day == from_json[sql].day != "undated"


def test_import_two_days_and_diff_them(cluster, tmp_path, capsys):
    url = cluster.url()
    day1 = _log_between(cluster, lambda: execute(url, *WORKLOAD[-5:]))
    execute(url, "DROP INDEX ix_item_g")
    try:
        day2 = _log_between(cluster, lambda: execute(url, *WORKLOAD[-5:], log_format="json"))
    finally:
        execute(url, "CREATE INDEX ix_item_g ON item (g)", "ANALYZE item")
    today = next(e.day for e in read_log_text(day1, tmp_path))
    log = tmp_path / "postgresql.log"
    log.write_text(day1.replace(today, "2026-02-17") + day2.replace(today, "2026-02-20"))
    out = tmp_path / "plans"
    assert run(["plan", "import", str(log), "-o", str(out)]) == 0
    assert "2026-02-17.yaml: " in capsys.readouterr().out
    feb17, feb20 = out / "2026-02-17.yaml", out / "2026-02-20.yaml"
    assert load_capture(feb17).queries.keys() == load_capture(feb20).queries.keys()
    code = run(["plan", "diff", str(feb17), str(feb20), "-f", "json"])
    report = yaml.safe_load(capsys.readouterr().out)
    scans = [f for f in report["findings"] if f["kind"] == "plan.full_scan"]
    assert code == 1 and scans and scans[0]["severity"] == "error", report
    assert "slower" in scans[0]["message"]
    assert run(["plan", "diff", str(feb17), str(feb20)]) == 1
    words = capsys.readouterr().out.split()
    for word in ("Bitmap", "ix_item_g", "Parallel", "(g", "excl", "buffers", "~", "+"):
        assert word in words
    assert not any(w.startswith("Query") or "typname" in w for w in words)


def read_log_text(text: str, tmp_path):
    path = tmp_path / "probe.log"
    path.write_text(text)
    return read_log(path)


def test_statements_named_by_their_shape():
    assert query_name("SELECT * FROM t WHERE id = 7") == query_name(
        "SELECT *  FROM t WHERE id = 42"
    )
    assert query_name("SELECT 'a'") == query_name("SELECT 'it''s'")
    assert query_name("SELECT * FROM t") != query_name("SELECT * FROM u")
    assert captures_by_day([], "x") == {}


def test_import_bad_input_is_one_line_exit_2(tmp_path, capsys):
    missing = tmp_path / "missing.log"
    assert run(["plan", "import", str(missing), "-o", str(tmp_path / "out")]) == 2
    assert str(missing) in capsys.readouterr().err
    quiet = tmp_path / "quiet.log"
    quiet.write_text("2026-02-17 10:00:00.000 UTC [1] LOG:  checkpoint starting: time\n")
    assert run(["plan", "import", str(quiet), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "no auto_explain plans found" in err and "Traceback" not in err
    broken = tmp_path / "broken.log"
    broken.write_text('2026-02-17 10:00:00 UTC [1] LOG:  duration: 1.0 ms  plan:\n\t{\n\t  "Plan\n')
    assert run(["plan", "import", str(broken), "-o", str(tmp_path / "out")]) == 2
    assert f"{broken}:3: auto_explain JSON plan" in capsys.readouterr().err


def test_pg_stat_statements_needs_postgresql(tmp_path, capsys):
    out = str(tmp_path / "top.yaml")
    (tmp_path / "x.db").touch()
    db = f"sqlite:///{tmp_path / 'x.db'}"
    assert run(["plan", "capture", "--db", db, "--from-pg-stat-statements", "-o", out]) == 2
    assert "needs a PostgreSQL database" in capsys.readouterr().err
