"""``driftline schema report`` end to end on a real SQLite database and a real local HTTP server."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from driftline.cli import run
from tests.ci.http_sink import free_port, http_sink

SCHEMA = """
CREATE TABLE ticket (id INTEGER PRIMARY KEY, title TEXT NOT NULL);
CREATE TABLE ticket_status_log (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES ticket(id),
    status_code VARCHAR(16) NOT NULL,
    changed_at TIMESTAMP NOT NULL
);
CREATE INDEX ix_ticket_status_log_status_changed ON ticket_status_log (status_code, changed_at);
"""
DROP = "DROP INDEX ix_ticket_status_log_status_changed"
TOKEN = "T0/B0/s3cr3t"


def execute(db: Path, sql: str) -> None:
    conn = sqlite3.connect(db)
    with conn:
        conn.executescript(sql)
    conn.close()


@pytest.fixture
def setup(tmp_path, capsys):
    db = tmp_path / "app.db"
    execute(db, SCHEMA)
    baseline = tmp_path / "baseline.yaml"
    assert run(["schema", "snapshot", "--db", str(db), "-o", str(baseline)]) == 0
    capsys.readouterr()
    return f"sqlite:///{db}", db, baseline


def report(url: str, baseline: Path, *extra: str) -> int:
    return run(["schema", "report", "--db", url, "--baseline", str(baseline), *extra])


def test_clean_report_in_markdown_on_stdout(setup, capsys):
    url, _, baseline = setup
    assert report(url, baseline) == 0
    out = capsys.readouterr().out
    assert out.startswith("## driftline daily baseline report")
    assert "🟢 clean" in out and "matches the baseline" in out


def test_missing_index_html_to_file_and_webhook(setup, capsys, tmp_path):
    url, db, baseline = setup
    execute(db, DROP)
    out = tmp_path / "reports" / "daily.html"
    with http_sink() as sink:
        code = report(
            url,
            baseline,
            "-o",
            str(out),
            "--fail-on",
            "warning",
            "--webhook",
            f"{sink.url}/services/{TOKEN}",
        )
    assert code == 1
    html = out.read_text()
    assert 'data-status="failing"' in html and "CREATE INDEX" in html
    assert "Content-Security-Policy\" content=\"default-src 'none';" in html
    (body,) = sink.bodies
    assert body["kind"] == "schema-report" and body["status"] == "failing"
    assert body["exit_code"] == 1 and body["summary"]["warning"] >= 1
    assert any("ix_ticket_status_log_status_changed" in f["object"] for f in body["findings"])
    err = capsys.readouterr().err
    assert "HTTP 200" in err and TOKEN not in err


def test_failed_webhook_is_reported_and_exit_code_unchanged(setup, capsys):
    url, _, baseline = setup
    port = free_port()
    hook = f"http://bot:hunter2@127.0.0.1:{port}/services/{TOKEN}"
    assert report(url, baseline, "--format", "markdown", "--webhook", hook) == 0
    captured = capsys.readouterr()
    assert "🟢 clean" in captured.out
    assert captured.err.startswith(
        f"driftline: warning: webhook POST to http://127.0.0.1:{port}/***"
    )
    assert "failed" in captured.err
    assert TOKEN not in captured.err and "hunter2" not in captured.err and "bot" not in captured.err


def test_webhook_error_status_keeps_findings_exit_code(setup, capsys):
    url, db, baseline = setup
    execute(db, DROP)
    with http_sink(status=500) as sink:
        code = report(url, baseline, "--fail-on", "warning", "--webhook", sink.url + "/x")
    assert code == 1
    assert "HTTP 500" in capsys.readouterr().err


def test_webhook_from_environment(setup, capsys, monkeypatch):
    url, _, baseline = setup
    with http_sink() as sink:
        monkeypatch.setenv("DRIFTLINE_WEBHOOK_URL", sink.url + "/env")
        assert report(url, baseline) == 0
    assert [r["path"] for r in sink.requests] == ["/env"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "pdf"], "unknown report format 'pdf'"),
        (["--webhook", "hooks.example.com/x"], "not a webhook URL"),
        (["--fail-on", "fatal"], "unknown severity 'fatal'"),
    ],
)
def test_bad_options_exit_2_before_connecting(setup, capsys, args, message):
    url, _, baseline = setup
    assert report(url, baseline, *args) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_bad_baseline_and_unreachable_database_exit_2(setup, tmp_path, capsys):
    url, _, baseline = setup
    missing = tmp_path / "nope.yaml"
    assert report(url, missing) == 2
    assert str(missing) in capsys.readouterr().err
    dead = f"postgresql://u:pw@127.0.0.1:{free_port()}/db"
    assert report(dead, baseline) == 2
    err = capsys.readouterr().err
    assert "127.0.0.1" in err and "pw@" not in err


def test_empty_webhook_from_an_unset_secret_sends_nothing(setup, capsys):
    url, _, baseline = setup
    assert report(url, baseline, "--webhook", "") == 0
    assert capsys.readouterr().err == ""


def test_report_on_postgresql_names_version_and_critical_index(pg_url, tmp_path, capsys):
    import sqlalchemy as sa

    from driftline.db import make_engine

    engine = make_engine(pg_url)
    with engine.begin() as conn:
        for statement in SCHEMA.split(";"):
            if statement.strip():
                conn.exec_driver_sql(statement.replace("INTEGER PRIMARY KEY", "BIGINT PRIMARY KEY"))
    baseline = tmp_path / "pg.yaml"
    critical = ["--critical-index", "ix_ticket_status_log_status_changed"]
    assert run(["schema", "snapshot", "--db", pg_url, "-o", str(baseline), *critical]) == 0
    with engine.begin() as conn:
        conn.execute(sa.text(DROP))
    engine.dispose()
    capsys.readouterr()
    assert report(pg_url, baseline) == 1
    out = capsys.readouterr().out
    assert "- **dialect**: `postgresql 15" in out
    assert (
        "| `public.ticket_status_log.ix_ticket_status_log_status_changed` | 🔴 index.missing" in out
    )
    assert '"ix_ticket_status_log_status_changed" ON "public"."ticket_status_log"' in out
