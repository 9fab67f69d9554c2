"""The GitLab index-health job's script, run for real in bash against a scratch PostgreSQL database.

Same commands the pipeline runs (taken from the template, not copied): lint the migrations, apply
them with psql, schema check, plan check, each writing JUnit. Green when the database matches its
baselines; exit 1, with every report still written, when a migration drops the critical index.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml

from driftline.cli import run
from tests.ci.test_templates import GITLAB

SCHEMA = """
CREATE TABLE ticket (id BIGINT PRIMARY KEY, title TEXT NOT NULL);
CREATE TABLE ticket_status_log (
    id BIGINT PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES ticket(id),
    status_code VARCHAR(16) NOT NULL,
    changed_at TIMESTAMP NOT NULL
);
CREATE INDEX ix_ticket_status_log_status_changed ON ticket_status_log (status_code, changed_at);
"""
QUERIES = """
driftline: 1
kind: queries
queries:
  - name: dispatch_pickup
    sql: SELECT ticket_id FROM ticket_status_log WHERE status_code = :status
    params:
      - {status: NEW}
    critical_tables: [ticket_status_log]
"""


def script() -> str:
    job = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))["driftline-index-health"]
    return "\n".join(job["script"])


@pytest.fixture
def project(tmp_path, pg_url, capsys, monkeypatch):
    if shutil.which("psql") is None:
        pytest.skip("psql is not installed")
    libpq_url = pg_url.replace("+psycopg", "")
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "001_schema.sql").write_text(SCHEMA)
    (tmp_path / "queries.yaml").write_text(QUERIES)
    subprocess.run(
        ["psql", libpq_url, "-v", "ON_ERROR_STOP=1", "-q", "-f", "migrations/001_schema.sql"],
        cwd=tmp_path,
        check=True,
    )
    critical = ["--critical-index", "ix_ticket_status_log_status_changed"]
    capture = ["plan", "capture", "--db", pg_url, "--queries", "queries.yaml", "-o", "plans.yaml"]
    monkeypatch.chdir(tmp_path)
    assert run(["schema", "snapshot", "--db", pg_url, "-o", "schema.yaml", *critical]) == 0
    assert run(capture) == 0
    capsys.readouterr()
    # The job starts from a fresh database: empty it, the migrations rebuild it.
    subprocess.run(
        ["psql", libpq_url, "-q", "-c", "DROP TABLE ticket_status_log, ticket"], check=True
    )
    return tmp_path, libpq_url


def run_job(root: Path, db_url: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "MIGRATIONS": "migrations",
        "SCHEMA_BASELINE": "schema.yaml",
        "PLAN_BASELINE": "plans.yaml",
        "FAIL_ON": "error",
        "DATABASE_URL": db_url,
        "COLUMNS": "100",
    }
    return subprocess.run(
        ["bash", "-e", "-c", script()],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def failures(report: Path) -> int:
    return len(ElementTree.parse(report).getroot().findall(".//failure"))


def test_job_is_green_when_the_database_matches(project):
    root, url = project
    result = run_job(root, url)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("lint", "schema", "plans"):
        assert failures(root / "driftline-reports" / f"{name}.xml") == 0


def test_job_fails_with_reports_when_a_migration_drops_the_index(project):
    root, url = project
    (root / "migrations" / "002_cleanup.sql").write_text(
        "DROP INDEX ix_ticket_status_log_status_changed;\n"
    )
    result = run_job(root, url)
    assert result.returncode == 1, result.stdout + result.stderr
    reports = root / "driftline-reports"
    assert failures(reports / "lint.xml") >= 1  # lint saw it before it ran
    assert failures(reports / "schema.xml") >= 1  # schema check saw the index gone
    assert failures(reports / "plans.xml") >= 1  # and the plan turned into a full scan
    assert "ix_ticket_status_log_status_changed" in result.stdout
