"""RT's real schema and hot queries under driftline's schema and plan checks: clean on a healthy
copy, and dropping RT's ``transactions1`` (ticket history by ObjectType + ObjectId) is caught by
both, with the CREATE INDEX that restores it."""

from __future__ import annotations

import json
import subprocess

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from driftline.cli import run
from driftline.db import make_engine
from driftline.systems.load import BUILTIN_DIR

pytestmark = [pytest.mark.rt, pytest.mark.postgres]

QUERIES = BUILTIN_DIR / "rt-queries.yaml"

#: A few thousand tickets' worth of history, so the planner prefers RT's indexes.
SEED = """
SET search_path = public;
INSERT INTO Transactions (ObjectType, ObjectId, Type, Creator, Created)
SELECT 'RT::Ticket', g % 2000 + 1, 'Comment', 1, now() - g * interval '1 minute'
FROM generate_series(1, 40000) g;
INSERT INTO CachedGroupMembers (GroupId, MemberId, ImmediateParentId, Disabled)
SELECT g % 500 + 100, g % 3000 + 100, g % 500 + 100, 0 FROM generate_series(1, 20000) g;
ANALYZE;
"""


def _psql_args(url: str) -> list[str]:
    u = make_url(url)
    return ["-h", u.host or "127.0.0.1", "-p", str(u.port or 5432), "-U", u.username or "postgres"]


@pytest.fixture
def rt_copy(rt, pg_url):
    """RT's live schema (pg_dump --schema-only) in a scratch database, with seeded history."""
    source = make_url(rt.db)
    dump = subprocess.run(
        [
            "pg_dump",
            "--schema-only",
            "--no-owner",
            "--no-privileges",
            *_psql_args(rt.db),
            source.database or "driftline_rt",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    target = make_url(pg_url)
    subprocess.run(
        ["psql", "-q", "-v", "ON_ERROR_STOP=1", *_psql_args(pg_url), target.database or ""],
        input=dump.stdout + SEED,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return pg_url


def test_live_rt_schema_snapshot_and_check_are_clean(rt, tmp_path, capsys):
    baseline = tmp_path / "rt.yaml"
    snap = ["schema", "snapshot", "--db", rt.db, "-o", str(baseline)]
    assert run([*snap, "--critical-index", "transactions1"]) == 0
    assert "transactions1" in baseline.read_text(encoding="utf-8")
    capsys.readouterr()
    assert run(["schema", "check", "--db", rt.db, "--baseline", str(baseline)]) == 0


def test_dropping_transactions1_is_caught_by_schema_and_plan_checks(rt_copy, tmp_path, capsys):
    schema = tmp_path / "schema.yaml"
    plans = tmp_path / "plans.yaml"
    db = rt_copy
    snap = ["schema", "snapshot", "--db", db, "-o", str(schema)]
    assert run([*snap, "--critical-index", "transactions1"]) == 0
    assert run(["plan", "capture", "--db", db, "-q", str(QUERIES), "-o", str(plans)]) == 0
    assert run(["schema", "check", "--db", db, "--baseline", str(schema)]) == 0
    assert run(["plan", "check", "--db", db, "-b", str(plans), "--ci"]) == 0
    capsys.readouterr()

    engine = make_engine(make_url(db))
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("DROP INDEX transactions1"))
    finally:
        engine.dispose()

    assert run(["schema", "check", "--db", db, "--baseline", str(schema), "-f", "json"]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    dropped = [f for f in findings if "transactions1" in f["object"]]
    assert dropped and dropped[0]["severity"] == "error"
    assert "CREATE INDEX" in (dropped[0].get("fix") or "")

    assert run(["plan", "check", "--db", db, "-b", str(plans), "--ci", "-f", "json"]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    history = [f for f in findings if "ticket_history" in f["object"] and f["severity"] == "error"]
    assert history, findings
    assert any("transactions1" in (f.get("fix") or "") + f["message"] for f in history)
