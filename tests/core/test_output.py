"""Every output format renders the same findings, parses where it is machine-readable, and fits."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from driftline.errors import UsageError
from driftline.findings import Finding, Severity, exit_code_for, sort_findings
from driftline.output import FORMATS, render

FINDINGS = [
    Finding(
        Severity.INFO,
        "index.renamed",
        "index public.ticket.ix_old",
        "renamed to ix_new",
    ),
    Finding(
        Severity.ERROR,
        "index.missing",
        "index public.ticket_status_log.ix_ticket_status_log_status_changed",
        "SLA-critical index is missing | dispatch pickup will full-scan",
        fix='CREATE INDEX "ix_ticket_status_log_status_changed" ON "ticket_status_log" '
        '("status_code", "changed_at");',
        file="migrations/0042_cleanup.sql",
        line=7,
    ),
    Finding(
        Severity.WARNING, "column.type_changed", "column public.ticket.title", "text → varchar"
    ),
]


def test_sort_is_most_severe_first_and_deterministic():
    ordered = sort_findings(FINDINGS)
    assert [f.severity for f in ordered] == [Severity.ERROR, Severity.WARNING, Severity.INFO]
    assert sort_findings(reversed(FINDINGS)) == ordered


@pytest.mark.parametrize(
    ("fail_on", "expected"), [("error", 1), ("warning", 1), ("info", 1), (Severity.ERROR, 1)]
)
def test_exit_code_with_an_error(fail_on, expected):
    assert exit_code_for(FINDINGS, fail_on) == expected


def test_exit_code_below_threshold_is_zero():
    only_info = [FINDINGS[0]]
    assert exit_code_for(only_info, "warning") == 0
    assert exit_code_for(only_info, "info") == 1
    assert exit_code_for([], "info") == 0


def test_unknown_severity_suggests():
    with pytest.raises(UsageError, match="did you mean 'warning'"):
        Severity.parse("warnign")


def test_json_round_trips_findings():
    doc = json.loads(render(FINDINGS, "json", title="schema check"))
    assert doc["driftline"] == 1 and doc["kind"] == "findings"
    assert doc["summary"] == {"error": 1, "warning": 1, "info": 1}
    again = [Finding.from_dict(item) for item in doc["findings"]]
    assert again == sort_findings(FINDINGS)


def test_junit_fails_only_at_or_above_threshold():
    root = ET.fromstring(render(FINDINGS, "junit", title="schema", fail_on="warning"))
    suite = root.find("testsuite")
    assert suite.get("tests") == "3" and suite.get("failures") == "2"
    failed = [c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None]
    assert "index public.ticket_status_log.ix_ticket_status_log_status_changed" in failed
    error_case = next(c for c in suite.iter("testcase") if c.get("file"))
    assert error_case.get("line") == "7"


def test_junit_without_findings_has_one_passing_case():
    root = ET.fromstring(render([], "junit", title="schema"))
    cases = list(root.iter("testcase"))
    assert len(cases) == 1 and cases[0].find("failure") is None


def test_sarif_has_rules_levels_and_locations():
    doc = json.loads(render(FINDINGS, "sarif"))
    run = doc["runs"][0]
    assert doc["version"] == "2.1.0"
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} == {f.kind for f in FINDINGS}
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels == {
        "index.missing": "error",
        "column.type_changed": "warning",
        "index.renamed": "note",
    }
    located = next(r for r in run["results"] if r["ruleId"] == "index.missing")
    loc = located["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "migrations/0042_cleanup.sql"
    assert loc["region"]["startLine"] == 7


def test_markdown_escapes_pipes_and_keeps_one_row_per_finding():
    text = render(FINDINGS, "markdown", title="schema check")
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == 1 + len(FINDINGS)
    assert "missing \\| dispatch" in text
    assert "**1 at or above error**" in text


def test_github_annotations_escape_and_locate():
    lines = render(FINDINGS, "github").splitlines()
    assert lines[0].startswith(
        "::error file=migrations/0042_cleanup.sql,line=7,title=index.missing"
    )
    assert "%0Afix: CREATE INDEX" in lines[0]
    assert lines[2].startswith("::notice title=")
    assert all("\n" not in line for line in lines)


def test_terminal_fits_100_columns_and_names_the_fix():
    text = render(FINDINGS, "terminal", title="schema check", width=100)
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "CREATE INDEX" in text and "1 error, 1 warning, 1 info" in text


def test_terminal_without_findings_says_so():
    assert "no findings" in render([], "terminal", title="schema check")


def test_every_format_is_listed_and_unknown_is_refused():
    assert set(FORMATS) == {"terminal", "json", "junit", "sarif", "markdown", "github"}
    with pytest.raises(UsageError, match="did you mean 'json'"):
        render(FINDINGS, "jsn")


HOSTILE = Finding(
    Severity.ERROR,
    "column.missing",
    "column public.ticket.<script>alert(3)</script>",
    "dropped *x* [click](https://evil.example) `tick` __init__ | pipe\nsecond line",
    fix='ALTER TABLE "t" ADD COLUMN "a|`b`" int;\nSELECT 1;',
)


def test_markdown_shows_hostile_names_as_text():
    text = render([HOSTILE], "markdown", title="schema check")
    row = next(line for line in text.splitlines() if line.startswith("| 🔴"))
    assert "<script>" not in row and "&#60;script&#62;alert(3)&#60;/script&#62;" in row
    for raw in ("*x*", "[click]", "`tick`", "__init__"):
        assert raw not in row
    assert "&#42;x&#42;" in row and "&#91;click&#93;" in row and "&#95;&#95;init&#95;&#95;" in row
    assert "\\| pipe<br>second line" in row
    assert '``ALTER TABLE "t" ADD COLUMN "a\\|`b`" int;``<br>`SELECT 1;`' in row
    assert len(row.split(" | ")) == 5  # still five cells


def test_github_annotation_cannot_start_another_command():
    evil = Finding(Severity.WARNING, "index.missing", "index x\n::add-mask::y", "m\r\n::stop::")
    [line] = render([evil], "github").splitlines()
    assert line.startswith("::warning title=") and line.endswith("::m%0D%0A::stop::")
    assert "title=index.missing%3A index x%0A%3A%3Aadd-mask%3A%3Ay" in line
