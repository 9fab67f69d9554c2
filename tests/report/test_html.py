"""The HTML report: self-contained, escaped, drawn by headless Chromium, bottleneck named."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from driftline.cli import run
from driftline.db import make_engine
from driftline.findings import Finding, Severity
from driftline.report import build_report, read_ticket_hours, render_html
from reference_system.schema import create_schema, ticket
from tests.report.chromium import chromium_path, decode_png, dump_dom, screenshot
from tests.report.synthetic import make_run

EVIL = '<script>document.title="pwned"</script>Printer <b>on</b> fire'
EXTERNAL = re.compile(
    r"""(?:\bsrc\s*=|\bhref\s*=|url\(|@import|<link\b|<script\b|<iframe\b)""", re.I
)


def _seed_tickets(url: str) -> list[str]:
    """Tickets created mostly at night (02:00 UTC), answered at 08:00, resolved at 15:00."""
    engine = make_engine(url)
    create_schema(engine)
    monday = datetime(2026, 11, 23, tzinfo=UTC)
    rows = []
    for day in range(7):
        for i in range(6 if day < 5 else 2):
            created = monday + timedelta(days=day, hours=2, minutes=i * 5)
            rows.append(
                {
                    "priority": "P2",
                    "status_code": "RESOLVED",
                    "source": "web_form",
                    "region": "north",
                    "category": "billing",
                    "customer_id": 7,
                    "title": EVIL if not rows else f"ticket {day}-{i}",
                    "description": "synthetic",
                    "created_at": created,
                    "first_response_at": created + timedelta(hours=6),
                    "resolved_at": created + timedelta(hours=13),
                }
            )
        afternoon = monday + timedelta(days=day, hours=14)
        rows.append({**rows[-1], "title": "afternoon", "created_at": afternoon})
        rows[-1].update(first_response_at=None, resolved_at=None)
    with engine.begin() as conn:
        conn.execute(sa.insert(ticket), rows)
        ids = [str(i) for (i,) in conn.execute(sa.select(ticket.c.id).order_by(ticket.c.id))]
    engine.dispose()
    return ids


def test_ticket_hours_show_the_night_peak(any_db_url):
    ids = _seed_tickets(any_db_url)
    hours = read_ticket_hours(any_db_url, ids[:1])
    created, responded, resolved = hours.grids
    assert hours.total == len(ids) == 41
    assert created.counts is not None and responded.counts is not None
    assert created.counts[0][2] == 6 and created.counts[5][2] == 2  # Monday and Saturday 02:00
    assert created.counts[0][14] == 1
    assert responded.counts[0][8] == 6 and resolved.counts[0][15] == 6
    assert hours.titles == {ids[0]: EVIL}


def test_html_is_self_contained_and_escapes_titles(tmp_path, sqlite_url):
    ids = _seed_tickets(sqlite_url)
    finding = Finding(Severity.WARNING, "plan.full_scan", "query pickup", "seq scan on <b>log</b>")
    run_dir = make_run(tmp_path, samples=1400, ticket_ids=ids[:1], findings=[finding.to_dict()])
    html = render_html(build_report(run_dir, db_url=sqlite_url))
    assert not EXTERNAL.search(html), EXTERNAL.search(html)
    assert "&lt;script&gt;document.title=&#34;pwned&#34;&lt;/script&gt;" in html
    assert "seq scan on &lt;b&gt;log&lt;/b&gt;" in html
    assert "Bottleneck: <b>dispatch</b>" in html
    assert html.count("<svg") == 2 + 7 + 3  # two stage grids, one per stage, three 24 h maps
    assert "Tickets created" in html and "plan.full_scan" in html


def test_cli_writes_report_next_to_the_run_and_to_output(tmp_path, capsys):
    a = make_run(tmp_path / "a", samples=700)
    b = make_run(tmp_path / "b", run_id="20261025T071500Z", slow=None, samples=700)
    assert run(["report", str(a)]) == 0
    assert (a / "report.html").exists()
    out = tmp_path / "out" / "r.html"
    assert run(["report", str(a), "-o", str(out), "--compare", str(b)]) == 0
    html = out.read_text()
    assert "Compared with 20261025T071500Z" in html
    assert "bottleneck: dispatch" in capsys.readouterr().out


def _require_chromium() -> None:
    if chromium_path() is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed")
        pytest.skip("chromium is not installed")


@pytest.mark.slow
def test_chromium_draws_the_report(tmp_path, sqlite_url):
    _require_chromium()
    ids = _seed_tickets(sqlite_url)
    run_dir = make_run(tmp_path, samples=3500, ticket_ids=ids[:1])
    html_path = tmp_path / "report.html"
    html_path.write_text(render_html(build_report(run_dir, db_url=sqlite_url)), encoding="utf-8")

    png = screenshot(html_path, tmp_path / "shot.png", width=1100, height=1400)
    width, height, rows = decode_png(png)
    assert (width, height) == (1100, 1400)
    step = 4 if len(rows[0]) == width * 4 else 3
    colours = set()
    non_white = 0
    for row in rows[::7]:
        for x in range(0, len(row), step * 5):
            px = row[x : x + 3]
            colours.add(px)
            non_white += px != b"\xff\xff\xff" and px != b"\xf5\xf6\xf8"
    assert len(colours) > 40, "screenshot looks blank"
    assert non_white > 2000

    dom = dump_dom(html_path)
    assert "Bottleneck: <b>dispatch</b>" in dom
    assert "<script" not in dom.lower()  # the ticket title stayed text
    assert '&lt;script&gt;document.title="pwned"&lt;/script&gt;Printer' in dom
    assert "pwned</title>" not in dom
