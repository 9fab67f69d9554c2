"""The pytest plugin, run by pytester on small test suites against a real SQLite database.

A suite passes while the database matches its baseline and fails, readably (the findings table at
100 columns with the fix), once an index is dropped.
"""

from __future__ import annotations

import importlib.metadata
import sqlite3
from pathlib import Path

import pytest

from driftline.cli import run

pytest_plugins = ["pytester"]

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


def _entry_point_registered() -> bool:
    return any(
        ep.value == "driftline.pytest_plugin"
        for ep in importlib.metadata.entry_points(group="pytest11")
    )


#: Load the plugin explicitly until (unless) the installed package registers its entry point.
PLUGIN = [] if _entry_point_registered() else ["-p", "driftline.pytest_plugin"]


class App:
    """A project with a SQLite database and a committed schema baseline."""

    def __init__(self, root: Path) -> None:
        self.db = root / "app.db"
        self.url = f"sqlite:///{self.db}"
        self.baseline = root / "baselines" / "app.sqlite.yaml"

    def execute(self, sql: str) -> None:
        with sqlite3.connect(self.db) as conn:
            conn.executescript(sql)
        conn.close()


@pytest.fixture
def plain_app(tmp_path) -> App:
    """The project's database, no baseline yet."""
    project = App(tmp_path / "project")
    project.db.parent.mkdir()
    project.execute(SCHEMA)
    return project


@pytest.fixture
def app(plain_app, capsys) -> App:
    project = plain_app
    critical = ["--critical-index", "ix_ticket_status_log_status_changed"]
    code = run(["schema", "snapshot", "--db", project.url, "-o", str(project.baseline), *critical])
    capsys.readouterr()
    assert code == 0 and project.baseline.exists()
    return project


def options(app: App, *extra: str) -> list[str]:
    return [*PLUGIN, f"--driftline-db={app.url}", f"--driftline-baseline={app.baseline}", *extra]


FIXTURE_SUITE = """
def test_schema_matches(driftline_schema_check):
    driftline_schema_check()
"""


def test_fixture_passes_when_the_database_matches(pytester, app):
    pytester.makepyfile(test_app=FIXTURE_SUITE)
    result = pytester.runpytest(*options(app))
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"driftline baselines: {app.baseline}"])


def test_fixture_fails_readably_when_an_index_is_missing(pytester, app):
    app.execute(DROP)
    pytester.makepyfile(test_app=FIXTURE_SUITE)
    result = pytester.runpytest(*options(app))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [f"*{app.db}* does not match {app.baseline}: 1 finding(s) at or above error*"]
    )
    out = result.stdout.str()
    message = [line[8:] for line in out.splitlines() if line.startswith("E       ")]
    text = "\n".join(message)
    assert "index.missing" in text and "SLA-critical index is missing" in text
    assert "fix: CREATE INDEX\n" in text or "fix: CREATE INDEX " in text
    assert '"ix_ticket_status_log_status_changed" ON' in text
    # the findings table, or the list it becomes when a name is too long for a table column
    assert max(len(line) for line in message[1:]) <= 100  # [0]: the exception line
    assert all(line == line.rstrip() for line in message)


def test_below_fail_on_passes_and_returns_the_findings(pytester, plain_app, capsys):
    app = plain_app  # no critical index: a dropped index is a warning
    assert run(["schema", "snapshot", "--db", app.url, "-o", str(app.baseline)]) == 0
    capsys.readouterr()
    app.execute(DROP)
    pytester.makepyfile(
        test_app="""
        def test_schema(driftline_schema_check):
            findings = driftline_schema_check()
            assert [(f.severity.label, f.kind) for f in findings] == [("warning", "index.missing")]
        """
    )
    pytester.runpytest(*options(app)).assert_outcomes(passed=1)
    pytester.runpytest(*options(app, "--driftline-fail-on=warning")).assert_outcomes(failed=1)


def test_helper_in_plain_tests_and_its_findings(pytester, app):
    pytester.makepyfile(
        test_app=f"""
        import pytest
        from driftline.testing import BaselineMismatch, assert_matches_baseline

        URL, BASELINE = {app.url!r}, {str(app.baseline)!r}

        def test_matches():
            assert assert_matches_baseline(URL, BASELINE) == []

        def test_mismatch_carries_findings():
            import sqlite3
            conn = sqlite3.connect({str(app.db)!r})
            conn.execute("{DROP}")
            conn.commit()
            conn.close()
            with pytest.raises(BaselineMismatch) as info:
                assert_matches_baseline(URL, BASELINE)
            assert [f.kind for f in info.value.findings] == ["index.missing"]
            assert "CREATE INDEX" in str(info.value)
        """
    )
    pytester.runpytest(*PLUGIN).assert_outcomes(passed=2)


QUERIES = """
driftline: 1
kind: queries
queries:
  - name: dispatch_pickup
    sql: |
      SELECT ticket_id FROM ticket_status_log
      WHERE status_code = :status AND changed_at >= :since
    params:
      - {status: NEW, since: "2026-01-01"}
    critical_tables: [ticket_status_log]
"""


def test_plan_baselines_pass_then_fail_on_a_lost_index(pytester, plain_app, capsys):
    app = plain_app
    queries = app.db.parent / "queries.yaml"
    queries.write_text(QUERIES)
    plans = app.db.parent / "plans.yaml"
    capture = ["plan", "capture", "--db", app.url, "--queries", str(queries), "-o", str(plans)]
    assert run(capture) == 0
    capsys.readouterr()
    pytester.makepyfile(
        test_plans="""
        def test_plans(driftline_plan_check):
            driftline_plan_check()
        """
    )
    args = [*PLUGIN, f"--driftline-db={app.url}", f"--driftline-baseline={plans}"]
    pytester.runpytest(*args).assert_outcomes(passed=1)
    app.execute(DROP)
    result = pytester.runpytest(*args)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            f"*does not match {plans}: * at or above error*",
            "*plan.full_scan*",
            "*dispatch_pickup*",
        ]
    )


def test_ini_configuration_and_overridden_db_fixture(pytester, app):
    app.execute(DROP)
    other = App(pytester.path)
    other.execute(SCHEMA)
    pytester.makeini(
        f"""
        [pytest]
        driftline_baseline = {app.baseline}
        driftline_db = {app.url}
        driftline_fail_on = warning
        """
    )
    pytester.makepyfile(
        test_default=FIXTURE_SUITE,
        test_override=f"""
import pytest

@pytest.fixture
def driftline_db_url():
    return {other.url!r}
"""
        + FIXTURE_SUITE,
    )
    result = pytester.runpytest(*PLUGIN)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["FAILED test_default.py::test_schema_matches*"])


def test_missing_configuration_says_what_to_pass(pytester):
    pytester.makepyfile(test_app=FIXTURE_SUITE)
    result = pytester.runpytest(*PLUGIN)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*no database to check; pass --driftline-db URL*"])


def test_bad_baseline_is_an_error_naming_the_file(pytester):
    bad = pytester.path / "bad.yaml"
    bad.write_text("driftline: 1\nkind: [unclosed\n")
    pytester.makepyfile(test_app=FIXTURE_SUITE)
    url = f"sqlite:///{pytester.path / 'app.db'}"
    result = pytester.runpytest(*PLUGIN, f"--driftline-db={url}", f"--driftline-baseline={bad}")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([f"*{bad}:*invalid YAML*"])


def test_options_are_in_help(pytester):
    result = pytester.runpytest(*PLUGIN, "--help")
    result.stdout.fnmatch_lines(
        ["*--driftline-baseline=FILE*", "*--driftline-db=URL*", "*--driftline-fail-on=LEVEL*"]
    )
