"""The CI templates under ci/ are valid for their platforms and call only real driftline commands.

Validity: YAML parsed with safe_load, then validated against the platforms' own JSON schemas as
vendored by check-jsonschema (``vendor.github-workflows``, ``vendor.gitlab-ci``). Staleness: every
``driftline …`` line is resolved against the Typer app (command path, options, option values,
``--format`` values) and its ``--help`` runs through :func:`driftline.cli.run`.
"""

from __future__ import annotations

import enum
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml

from driftline.cli import run
from tests.ci.template_commands import Invocation, invocations, path_of, problems

ROOT = Path(__file__).resolve().parents[2]
GITHUB = ROOT / "ci" / "github" / "driftline.yml"
GITLAB = ROOT / "ci" / "gitlab" / "driftline.gitlab-ci.yml"
SCHEMAS = {GITHUB: "vendor.github-workflows", GITLAB: "vendor.gitlab-ci"}
GITLAB_NOT_JOBS = {"variables", "stages", "include", "default", "workflow", "image", "services"}


def validate(path: Path, schema: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def load(path: Path) -> dict[Any, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def github_scripts(doc: dict[Any, Any]) -> list[tuple[str, str]]:
    return [
        (f"{GITHUB.name}:{job}:{step.get('name', step.get('uses', '?'))}", step["run"])
        for job, body in doc["jobs"].items()
        for step in body["steps"]
        if "run" in step
    ]


def gitlab_scripts(doc: dict[Any, Any]) -> list[tuple[str, str]]:
    found = []
    for job, body in doc.items():
        if job in GITLAB_NOT_JOBS or not isinstance(body, dict):
            continue
        for key in ("before_script", "script", "after_script"):
            lines = body.get(key, [])
            lines = [lines] if isinstance(lines, str) else lines
            found += [(f"{GITLAB.name}:{job}:{key}", line) for line in lines]
    return found


def all_invocations() -> list[Invocation]:
    scripts = github_scripts(load(GITHUB)) + gitlab_scripts(load(GITLAB))
    return [inv for where, script in scripts for inv in invocations(script, where)]


@pytest.mark.parametrize("path", [GITHUB, GITLAB], ids=lambda p: p.name)
def test_template_matches_platform_schema(path):
    result = validate(path, SCHEMAS[path])
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", [GITHUB, GITLAB], ids=lambda p: p.name)
def test_schema_validation_can_fail(path, tmp_path):
    """The validator is not a rubber stamp: a job without its runner/script is rejected."""
    doc = load(path)
    if path == GITHUB:
        del doc["jobs"]["index-health"]["runs-on"]
    else:
        doc["driftline-index-health"]["script"] = {"not": "a list"}
    broken = tmp_path / path.name
    broken.write_text(yaml.safe_dump(doc), encoding="utf-8")
    assert validate(broken, SCHEMAS[path]).returncode == 1


def _cron_of(condition: str, crons: list[str]) -> str:
    (cron,) = [c for c in crons if f"github.event.schedule == '{c}'" in condition]
    return cron


def test_github_runs_health_on_every_pipeline_drill_monthly_report_daily():
    doc = load(GITHUB)
    triggers = doc.get("on", doc.get(True))  # YAML 1.1 reads a bare `on` key as True
    assert {"push", "pull_request", "schedule"} <= set(triggers)
    crons = [entry["cron"] for entry in triggers["schedule"]]
    jobs = doc["jobs"]
    drill = _cron_of(jobs["stress-drill"]["if"], crons).split()
    assert drill[2:] == ["1", "*", "*"], "the drill runs once a month"
    daily = _cron_of(jobs["daily-report"]["if"], crons).split()
    assert daily[2:] == ["*", "*", "*"], "the report runs every day"
    health = jobs["index-health"]["if"]
    assert "push" in health and "pull_request" in health and "schedule" not in health
    for name in ("index-health", "stress-drill"):
        assert jobs[name]["services"]["postgres"]["image"].startswith("postgres:")


def test_gitlab_runs_health_on_every_pipeline_and_drill_on_schedule():
    doc = load(GITLAB)
    health, drill = doc["driftline-index-health"], doc["driftline-stress-drill"]
    assert health["rules"][-1] == {"when": "on_success"}
    assert [r["if"] for r in drill["rules"]] == [
        '$CI_PIPELINE_SOURCE == "schedule" && $DRIFTLINE_DRILL == "monthly"'
    ]
    assert health["artifacts"]["reports"]["junit"] == "driftline-reports/*.xml"
    assert doc[".driftline"]["services"][0]["name"].startswith("postgres:")
    assert health["script"][-1] == "exit $rc"
    report = doc["driftline-daily-report"]
    assert [r["if"] for r in report["rules"]] == [
        '$CI_PIPELINE_SOURCE == "schedule" && $DRIFTLINE_REPORT == "daily"'
    ]


def test_templates_run_every_check():
    paths = {(inv.where.split(":")[0], " ".join(path_of(inv))) for inv in all_invocations()}
    for name in (GITHUB.name, GITLAB.name):
        for command in ("lint", "schema check", "plan check", "stress run", "report"):
            assert (name, command) in paths, f"{name} does not run driftline {command}"
    assert (GITHUB.name, "schema report") in paths and (GITLAB.name, "schema report") in paths


def test_github_template_annotates_and_writes_junit():
    formats = {
        (" ".join(path_of(inv)), inv.argv[inv.argv.index("--format") + 1])
        for inv in all_invocations()
        if inv.where.startswith(GITHUB.name) and "--format" in inv.argv
    }
    for command in ("lint", "schema check", "plan check"):
        assert {(command, "github"), (command, "junit")} <= formats


def test_every_driftline_command_in_the_templates_exists():
    found = all_invocations()
    assert len(found) >= 15
    issues = [issue for inv in found for issue in problems(inv)]
    assert issues == []


def test_every_template_command_has_help(capsys):
    paths = sorted({tuple(path_of(inv)) for inv in all_invocations()})
    assert len(paths) >= 5
    for path in paths:
        assert run([*path, "--help"]) == 0, path
        assert "Usage" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("driftline schema chek --db x", "no command 'driftline schema chek'"),
        ("driftline schema check --nope 1", "has no option --nope"),
        ("driftline schema check --format yaml", "unknown format 'yaml'"),
        ("driftline schema check --db", "--db needs a value"),
        ("driftline schema", "is a group, not a command"),
        ("driftline schema check --mode quick", "--mode 'quick' is not one of ['fast', 'slow']"),
    ],
)
def test_stale_commands_are_caught(line, expected):
    (inv,) = invocations(line, "t")
    assert any(expected in issue for issue in problems(inv, _toy_cli()))


def test_a_current_command_has_no_problems():
    line = 'driftline schema check --db "$URL" --strict --format=junit --mode slow x'
    (inv,) = invocations(line, "t")
    assert problems(inv, _toy_cli()) == []
    (flag,) = invocations("driftline schema check --strict=1", "t")
    assert problems(flag, _toy_cli()) == [
        "t: driftline schema check --strict=1: --strict is a flag and takes no value"
    ]


class Mode(enum.StrEnum):
    FAST = "fast"
    SLOW = "slow"


def _toy_cli() -> typer.Typer:
    """A CLI shaped like driftline's, so the checker is tested apart from what exists today."""
    root = typer.Typer()
    schema = typer.Typer()

    @schema.command("check")
    def check(
        db: str = typer.Option(..., "--db"),
        fmt: str = typer.Option("terminal", "--format", "-f"),
        fail_on: str = typer.Option("error", "--fail-on"),
        strict: bool = typer.Option(False, "--strict"),
        mode: Mode = typer.Option(Mode.FAST, "--mode"),
        extra: list[str] = typer.Argument(None),
    ) -> None:
        """A check."""

    @schema.command("snapshot")
    def snapshot() -> None:
        """Another command, so the group stays a group."""

    root.add_typer(schema, name="schema")

    @root.command("other")
    def other() -> None:
        """A second top-level command."""

    return root


def test_invocations_split_shell_lines():
    script = (
        "mkdir -p r\n"
        "# driftline lint commented.sql\n"
        'driftline lint "$M"/*.sql --format junit > r/lint.xml || rc=$?\n'
        "driftline schema check --db \\\n  x.db --baseline b.yaml | tee out\n"
        "echo driftline && driftline plan check --db x.db 2> err.txt\n"
    )
    assert [inv.argv for inv in invocations(script, "t")] == [
        ("lint", "$M/*.sql", "--format", "junit"),
        ("schema", "check", "--db", "x.db", "--baseline", "b.yaml"),
        ("plan", "check", "--db", "x.db"),
    ]
