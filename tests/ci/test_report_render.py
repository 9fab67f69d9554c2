"""The daily report as data, markdown and HTML, built from findings made by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest

from driftline.errors import UsageError
from driftline.findings import Finding, Severity
from driftline.schema_report import DailyReport, critical_status, render_report

WHEN = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
CRITICAL = "public.ticket_status_log.ix_ticket_status_log_status_changed"
MISSING = Finding(
    Severity.ERROR,
    "index.missing",
    f"index {CRITICAL}",
    "SLA-critical index is missing",
    fix="CREATE INDEX ix_ticket_status_log_status_changed ON public.ticket_status_log "
    "(status_code, changed_at);",
)
RENAMED = Finding(Severity.INFO, "index.renamed", "index public.ticket.ix_a", "renamed to ix_b")
HOSTILE = Finding(
    Severity.WARNING, "column.changed", "column public.t.<script>alert(1)</script>", "a|b\nc"
)


def report(findings=(), **kwargs) -> DailyReport:
    values = {
        "database": "postgresql://db.internal:5432/tickets",
        "baseline": "baselines/tickets.yaml",
        "generated_at": WHEN,
        "findings": tuple(findings),
        "dialect": "postgresql",
        "server_version": "15.18",
        "tables": 12,
        "indexes": 30,
        "critical": critical_status([CRITICAL, "public.ticket"], findings),
    }
    values.update(kwargs)
    return DailyReport(**values)


def test_status_follows_findings_and_fail_on():
    assert report().status == "clean" and report().exit_code == 0
    assert report([RENAMED]).status == "drift" and report([RENAMED]).exit_code == 0
    assert report([MISSING, RENAMED]).status == "failing"
    assert report([MISSING, RENAMED]).exit_code == 1
    assert report([RENAMED], fail_on=Severity.INFO).status == "failing"


def test_findings_are_sorted_most_severe_first():
    assert report([RENAMED, MISSING]).findings == (MISSING, RENAMED)


def test_critical_status_pairs_objects_with_their_worst_finding():
    pairs = critical_status([CRITICAL, "public.ticket", "public.other"], [RENAMED, MISSING])
    assert [(c.name, c.finding) for c in pairs] == [
        (CRITICAL, MISSING),
        ("public.ticket", RENAMED),
        ("public.other", None),
    ]


def test_summary_is_versioned_and_names_critical_drift():
    doc = report([MISSING, RENAMED]).summary()
    assert list(doc)[:3] == ["driftline", "kind", "text"]
    assert doc["driftline"] == 1 and doc["kind"] == "schema-report"
    assert doc["status"] == "failing" and doc["exit_code"] == 1
    assert doc["summary"] == {"error": 1, "warning": 0, "info": 1}
    assert doc["critical"] == {"total": 2, "drifted": [CRITICAL, "public.ticket"]}
    assert doc["findings"][0]["fix"].startswith("CREATE INDEX")
    assert "drifted from baselines/tickets.yaml" in doc["text"]
    assert doc["generated_at"] == "2026-11-25T06:00:00+00:00"


def test_summary_caps_findings():
    many = [
        Finding(Severity.INFO, "index.renamed", f"index public.t.ix_{i}", "x") for i in range(30)
    ]
    doc = report(many).summary(max_findings=5)
    assert len(doc["findings"]) == 5 and doc["findings_omitted"] == 25


def test_markdown_has_facts_critical_table_and_fixes():
    text = render_report(report([MISSING, RENAMED, HOSTILE]), "markdown")
    assert text.startswith("## driftline daily baseline report\n")
    assert "`postgresql://db.internal:5432/tickets`" in text
    assert "**🔴 failing** — 1 error, 1 warning, 1 info — 1 at or above error" in text
    assert f"| `{CRITICAL}` | 🔴 index.missing: SLA-critical index is missing |" in text
    assert "`CREATE INDEX ix_ticket_status_log_status_changed" in text
    assert "a\\|b<br>c" in text  # cells cannot break the table


def test_markdown_clean_report():
    text = render_report(report(), "markdown")
    assert "**🟢 clean** — no findings — matches the baseline" in text
    assert "### Findings" not in text
    assert f"| `{CRITICAL}` | 🟢 as in baseline |" in text


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.ids: dict[str, dict[str, str | None]] = {}
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids[str(attributes["id"])] = attributes

    def handle_data(self, data):
        self.text.append(data)


def test_html_escapes_database_content_and_marks_status():
    html = render_report(report([MISSING, HOSTILE]), "html")
    parsed = _Collect()
    parsed.feed(html)
    assert "script" not in parsed.tags
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert parsed.ids["status"]["data-status"] == "failing"
    assert {"critical", "findings"} <= set(parsed.ids)
    text = "".join(parsed.text)
    assert "CREATE INDEX ix_ticket_status_log_status_changed" in text
    assert "SLA-critical index is missing" in text


def test_html_clean_report_says_so():
    html = render_report(report(critical=()), "html")
    assert 'data-status="clean"' in html
    assert "No drift: the database matches its baseline." in html
    assert 'id="critical"' not in html


def test_unknown_format_is_a_usage_error():
    with pytest.raises(UsageError, match="did you mean 'html'"):
        render_report(report(), "htm")
