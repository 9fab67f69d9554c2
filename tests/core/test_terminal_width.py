"""People's output at the widths people read it (80: a piped CI log; 100: a terminal): no word and
no finding kind is ever broken, and a fleet's findings name their database."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from driftline.findings import Finding, Severity
from driftline.output import render
from driftline.output.terminal import print_findings

LONG = [
    Finding(
        Severity.ERROR,
        "index.missing",
        "index public.ticket_status_log.ix_ticket_status_log_status_changed",
        "the SLA-critical index is missing, so the dispatch pickup query reads the whole "
        "status log on every cycle",
        fix='CREATE INDEX CONCURRENTLY "ix_ticket_status_log_status_changed" ON '
        '"ticket_status_log" ("status_code", "changed_at");',
        file="migrations/0042_cleanup.sql",
        line=7,
    ),
    Finding(
        Severity.WARNING,
        "column.default_changed",
        "column public.ticket.created_at",
        "default CURRENT_TIMESTAMP became none",
    ),
    Finding(
        Severity.ERROR,
        "plan.expectation",
        "query dispatch_pickup",
        "expected an index scan on ticket_status_log, got a full scan",
    ),
]
SHORT = [
    Finding(
        Severity.WARNING, "column.type_changed", "column public.ticket.title", "text → varchar"
    ),
    Finding(Severity.INFO, "index.renamed", "index public.ticket.ix_old", "renamed to ix_new"),
]


def _words(findings: list[Finding]) -> set[str]:
    words: set[str] = set()
    for f in findings:
        for text in (f.kind, f.object, f.message, f.fix or ""):
            words.update(text.split())
    return words


@pytest.mark.parametrize("width", [80, 100, 60])
@pytest.mark.parametrize("findings", [LONG, SHORT, LONG + SHORT], ids=["long", "short", "mixed"])
def test_no_word_or_kind_is_broken(findings, width):
    text = render(findings, "terminal", title="schema check of tickets", width=width)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width
    flat = re.sub(r"[│┃]", " ", text)
    tokens = set(flat.split())
    for word in _words(findings):
        if len(word) <= width - 4:
            assert word in tokens, f"{word!r} broken at {width} columns:\n{text}"


def test_short_findings_stay_a_table_at_80_columns():
    text = render(SHORT, "terminal", title="schema check", width=80)
    assert "┃ severity" in text and "│ warning" in text


def test_fleet_findings_name_their_database():
    fleet = [
        Finding(Severity.ERROR, "index.missing", "index public.t.ix_a", "missing", source="eu-1"),
        Finding(Severity.WARNING, "column.type_changed", "column public.t.c", "int", source="us-2"),
    ]
    for width in (80, 120):
        out = io.StringIO()
        console = Console(file=out, width=width, color_system=None)
        print_findings(console, fleet, title="fleet", fail_on=Severity.ERROR)
        text = out.getvalue()
        assert "eu-1" in text and "us-2" in text
        line = next(line for line in text.splitlines() if "index.missing" in line)
        assert "eu-1" in line  # on the finding's own line, whichever layout
    single = [Finding(Severity.ERROR, "index.missing", "index i", "missing", source="eu-1")]
    assert "eu-1" not in render(single, "terminal", title="schema check", width=80)


@pytest.mark.parametrize("width", [80, 100])
def test_report_in_the_terminal_never_cuts_a_figure(tmp_path, width):
    from driftline.findings import Finding as F
    from driftline.report import build_report, render_terminal
    from tests.report.test_figures import known_run

    run_dir = known_run(tmp_path)
    doc = (run_dir / "run.json").read_text()
    finding = F(Severity.WARNING, "column.default_changed", "column public.ticket.created_at", "x")
    (run_dir / "run.json").write_text(
        doc.replace(
            '"findings": []', f'"findings": [{__import__("json").dumps(finding.to_dict())}]'
        )
    )
    out = io.StringIO()
    render_terminal(build_report(run_dir), Console(file=out, width=width, color_system=None))
    text = out.getvalue()
    assert max(len(line) for line in text.splitlines()) <= width
    assert "…" not in text
    assert re.search(r"^ dispatch +60 +0 +60 +0 +10 s +10 s +1\.00×", text, re.M)
    assert re.search(r"^ respond +0 +not reached", text, re.M)
    assert "column.default_changed" in text.split()
