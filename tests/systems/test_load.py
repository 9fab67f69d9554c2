"""System adapters: the shipped ones load; every mistake in a file is one line naming file:line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from driftline.errors import InputFileError, UsageError
from driftline.stress.stages import STAGE_ORDER
from driftline.systems import builtin_names, load_system, parse_system
from driftline.systems.load import BUILTIN_DIR

RT = (BUILTIN_DIR / "rt.yaml").read_text(encoding="utf-8")


def test_shipped_adapters_load_with_their_stages():
    assert {"refsys", "rt"} <= set(builtin_names())
    refsys = load_system()
    assert refsys.name == "refsys" and refsys.locustfile == "refsys"
    assert refsys.stage_names == STAGE_ORDER  # the reference journey's own order
    assert refsys.not_observed == {}
    rt = load_system("rt")
    assert rt.auth.kind == "basic"
    assert rt.not_observed == {"followup": pytest.approx(rt.not_observed["followup"])}
    assert "followup" not in rt.deadlines_ms
    assert rt.stage("alert").latency.start_field == "Due"


def test_a_user_file_loads_by_path(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(RT.replace("name: rt", "name: mine"), encoding="utf-8")
    assert load_system(str(path)).name == "mine"


def test_unknown_system_name_suggests():
    with pytest.raises(UsageError, match="did you mean 'rt'"):
        load_system("rtt")


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "needle", "words"),
    [
        ("health: {path", "helth: {path", "helth", "did you mean 'health'"),
        ("    deadline_s: 60\n", "    deadlin_s: 60\n", "deadlin_s", "did you mean 'deadline_s'"),
        (
            "observe: {kind: poll, field: Owner.id, not_in: [Nobody]}",
            "observe: {kind: poll, not_in: [Nobody]}",
            "kind: poll, not_in",
            "stage 'dispatch' cannot be observed: a poll needs a 'field'",
        ),
        (
            "observe: {kind: none, reason: RT has no",
            "observe: {kind: none, reson: RT has no",
            "reson",
            "did you mean 'reason'",
        ),
        (
            "latency: {from: Due, to: LastUpdated}",
            "latency: {from: Due}",
            "latency: {from: Due}",
            "latency needs both 'from' and 'to'",
        ),
        ("auth: {kind: basic}", "auth: {kind: basik}", "basik", "did you mean 'basic'"),
        ("kind: query", "kind: qeury", "kind: qeury", "did you mean 'query'"),
        ("ObjectId = :id", "ObjectId = :ticket", "kind: query", "must bind the ticket id as :id"),
        ("      field: Type ", "      fild: Type ", "fild", "did you mean 'field'"),
        (
            "      field: Type             # the first transaction is the ticket's Create\n",
            "",
            "kind: query",
            "a query needs a 'field' (a column of its first row)",
        ),
        (
            "observe: {kind: poll, field: Owner.id, not_in: [Nobody]}",
            "observe: {kind: poll, field: Owner.id, sql: SELECT 1 WHERE :id}",
            "sql: SELECT 1",
            "'sql' is only for stages observed by a database query",
        ),
        (
            "    stage: history",
            "    stage: dispatch",
            "stage: dispatch",
            "must be observed by a query",
        ),
        ("    stage: history", "    stage: histroy", "stage: histroy", "did you mean 'history'"),
        ("      mysql: 600000", "      mysql: many", "mysql: many", "whole number"),
        ("      mysql: 600000", "      mysq: 600000", "mysq: 600000", "did you mean 'mysql'"),
        ("      postgresql: >-", "      postgres: >-", "postgres:", "did you mean 'postgresql'"),
        ("    outcome: reopened", "    outcome: reopend", "reopend", "did you mean 'reopened'"),
        ("  get: {path:", "  gett: {path:", "gett", "did you mean 'get'"),
    ],
)
def test_mistakes_name_file_and_line(old, new, needle, words):
    assert old in RT, old
    text = RT.replace(old, new, 1)
    with pytest.raises(InputFileError) as err:
        parse_system(text, "mine.yaml")
    assert words in err.value.message
    assert err.value.message.startswith(f"mine.yaml:{_line_of(text, needle)}:")


@pytest.mark.parametrize(
    ("drop", "words"),
    [("health", "missing 'health'"), ("stages", "missing 'stages'"), ("name", "missing 'name'")],
)
def test_missing_parts_are_named(drop, words):
    lines = RT.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{drop}:"))
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i][:1] not in (" ", "")), len(lines)
    )
    text = "".join(lines[:start] + lines[end:])
    with pytest.raises(InputFileError, match=words):
        parse_system(text, "mine.yaml")


def test_a_response_stage_needs_a_request():
    text = RT.replace(
        "  - name: followup\n    observe: {kind: none, reason: RT has no customer confirmation "
        "or rating of a resolved ticket}",
        "  - name: followup\n    observe: {kind: response}",
    )
    assert text != RT
    with pytest.raises(InputFileError, match="'followup' cannot be observed: a response needs"):
        parse_system(text, "mine.yaml")


def test_cli_bad_adapter_is_one_line_exit_2(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(RT.replace("deadline_s: 60", "deadline_s: soon"), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "driftline", "stress", "run", "--system", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        cwd=tmp_path,
    )
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    line = _line_of(path.read_text(encoding="utf-8"), "deadline_s: soon")
    assert f"{path}:{line}:" in lines[0] and "number" in lines[0]


def test_query_stage_reads_its_sql_and_the_critical_index_names_it():
    rt = load_system("rt")
    history = rt.stage("history")
    assert history.observe == "query" and ":id" in (history.sql or "")
    assert history.check is not None and history.check.field == "type"  # columns: lower case
    assert history.check.holds({"type": "Create"}) and not history.check.holds({"type": "Set"})
    assert [s.name for s in rt.query_stages] == ["history"]
    index = rt.database.critical_index
    assert index is not None and (index.name, index.table) == ("transactions1", "Transactions")
    assert (index.stage, index.query) == ("history", "ticket_history")
    assert "generate_series" in index.seed["postgresql"] and "ObjectId < 0" in index.unseed["*"]
    assert rt.queries == "rt-queries.yaml" and (BUILTIN_DIR / rt.queries).is_file()


def test_a_run_without_db_refuses_a_query_stage(tmp_path):
    """One line naming the adapter file and the stage's line, exit 2, before any load."""
    path = tmp_path / "mine.yaml"
    path.write_text(RT, encoding="utf-8")
    proc = subprocess.run(
        [
            *(sys.executable, "-m", "driftline", "stress", "run", "--system", str(path)),
            *("--target", "http://127.0.0.1:9"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        cwd=tmp_path,
    )
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    line = _line_of(RT, "- name: history")
    assert f"{path}:{line}:" in lines[0] and "pass --db" in lines[0], lines[0]


def test_package_files_are_shipped():
    assert Path(BUILTIN_DIR / "rt-thresholds.yaml").is_file()
