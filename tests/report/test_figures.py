"""Every figure the report shows is the run's own: one definition, read back as a person sees it.

A run with known numbers goes through the same code a stress run uses (stage figures, thresholds,
verdicts); its HTML report is drawn by headless Chromium and every stage figure and verdict is
read back from the DOM and compared with what the numbers say, and with run.json.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from driftline.report import build_report, render_html, render_terminal
from driftline.stress.histogram import StageHistograms
from driftline.stress.stages import Sample
from driftline.stress.summary import Throughput, stage_figures
from driftline.stress.thresholds import judge, parse_thresholds
from tests.report.chromium import dump_dom
from tests.report.test_html import _require_chromium

ORDER = ["create", "dispatch", "alert", "respond"]
DEADLINES = {"create": 5000.0, "dispatch": 10000.0, "alert": 10000.0, "respond": 5000.0}
THRESHOLDS = """\
driftline: 1
stages:
  create:   {p95_ms: 1000, max_error_rate: 0.01, min_completion: 0.99}
  dispatch: {p95_ms: 2000, max_error_rate: 0.01, min_completion: 0.99}
  alert:    {max_error_rate: 0.05, min_completion: 0.95}
"""


def known_run(root: Path) -> Path:
    """60 tickets over 60 s: create always fast; dispatch misses its deadline every time (the
    index-drop drill); alert has 6 HTTP errors and 3 late; respond is never reached."""
    samples: list[Sample] = []
    for i in range(60):
        t = float(i)
        samples.append(Sample(str(i), "create", t, 40.0 + i, True))
        samples.append(Sample(str(i), "dispatch", t + 0.5, 10000.0, False, "deadline"))
        if i < 6:
            samples.append(Sample(str(i), "alert", t + 1, 120.0, False, "http_500"))
        elif i < 9:
            samples.append(Sample(str(i), "alert", t + 1, 10000.0, False, "deadline"))
        else:
            samples.append(Sample(str(i), "alert", t + 1, 300.0 + i, True))
    figures = stage_figures(samples, DEADLINES)
    figures = {s: figures[s] for s in ORDER}
    thresholds = parse_thresholds(THRESHOLDS, "thresholds.yaml")
    verdicts = judge(thresholds, figures, Throughput(60, 60.0))
    hists = StageHistograms(slice_s=5.0)
    for s in samples:
        hists.record(s.stage, s.t, s.latency_ms, s.ok)
    run_dir = root / "20261201T090000Z"
    run_dir.mkdir(parents=True)
    (run_dir / "thresholds.yaml").write_text(THRESHOLDS, encoding="utf-8")
    run = {
        "driftline": 1,
        "kind": "stress-run",
        "id": run_dir.name,
        "duration_s": 60.0,
        "started_at": "2026-12-01T09:00:03.000000Z",
        "ended_at": "2026-12-01T09:01:03.000000Z",
        "config": {"users": 10, "thresholds_file": str(run_dir / "thresholds.yaml")},
        "generator": {"cpu_percent_max": 20.0, "cpu_percent_mean": 10.0, "saturated": False},
        "throughput": {"tickets": 60, "duration_s": 60.0, "tickets_per_s": 1.0},
        "reconcile": {"created": 60, "accounted": 60, "unaccounted": [], "by_outcome": {}},
        "stage_order": ORDER,
        "stages": {name: fig.to_dict() for name, fig in figures.items()},
        "verdicts": [v.to_dict() for v in verdicts],
        "verdict": "fail",
        "findings": [],
    }
    (run_dir / "run.json").write_text(json.dumps(run, indent=2), encoding="utf-8")
    (run_dir / "histograms.json").write_text(json.dumps(hists.to_dict()), encoding="utf-8")
    return run_dir


#: What a person must read for each stage, in the report's own words.
EXPECTED = {
    "create": {
        "samples": "60",
        "completed": "60",
        "missed": "0",
        "errors": "0",
        "failed": "0",
        "completion": "100.0 %",
        "error_rate": "0.0 %",
        "p50": "69 ms",
        "p95": "96 ms",
        "deadline": "5 s",
    },
    "dispatch": {
        "samples": "60",
        "completed": "0",
        "missed": "60",
        "errors": "0",
        "failed": "60",
        "completion": "0.0 %",
        "error_rate": "0.0 %",
        "p95": "10 s",
        "deadline": "10 s",
        "ratio": "1.00×",
    },
    "alert": {
        "samples": "60",
        "completed": "51",
        "missed": "3",
        "errors": "6",
        "failed": "9",
        "completion": "85.0 %",
        "error_rate": "10.0 %",
    },
    "respond": {"samples": "0", "completed": "not reached", "deadline": "5 s"},
}


class _Cells(HTMLParser):
    """Text of every ``<td data-key>`` under a ``<tr data-stage>``, and every table row."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[str, dict[str, str]] = {}
        self.rows: list[list[str]] = []
        self._stage: str | None = None
        self._key: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "tr":
            self._stage = a.get("data-stage")
            self.rows.append([])
        elif tag in ("td", "th"):
            self._key, self._cell = a.get("data-key"), []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            if self.rows:
                self.rows[-1].append(text)
            if self._stage and self._key:
                self.cells.setdefault(self._stage, {})[self._key] = text
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _read(html: str) -> _Cells:
    parser = _Cells()
    parser.feed(html)
    return parser


def test_run_json_holds_the_known_figures(tmp_path):
    run = json.loads((known_run(tmp_path) / "run.json").read_text())
    alert = run["stages"]["alert"]
    assert (alert["count"], alert["ok"], alert["deadline_missed"], alert["errors"]) == (
        60,
        51,
        3,
        6,
    )
    assert run["stages"]["dispatch"]["error_rate"] == 0.0
    assert run["stages"]["dispatch"]["completion"] == 0.0


def test_html_figures_are_the_run_json_figures(tmp_path):
    report = build_report(known_run(tmp_path))
    cells = _read(render_html(report)).cells
    for stage, expected in EXPECTED.items():
        for key, text in expected.items():
            assert cells[stage][key] == text, (stage, key)
    assert report.bottleneck.stage == "dispatch" and report.bottleneck.reason == "failing"


def test_verdict_limits_read_as_written_and_never_none(tmp_path):
    html = render_html(build_report(known_run(tmp_path)))
    rows = [r for r in _read(html).rows if len(r) == 6 and r[2] in ("p95_ms", "max_error_rate")]
    rows += [r for r in _read(html).rows if len(r) == 6 and r[2] == "min_completion"]
    limits = {(r[1], r[2]): r[3] for r in rows}
    actual = {(r[1], r[2]): r[4] for r in rows}
    assert limits[("create", "max_error_rate")] == "0.01"
    assert limits[("create", "min_completion")] == "0.99"
    assert limits[("alert", "max_error_rate")] == "0.05"
    assert limits[("alert", "min_completion")] == "0.95"
    assert limits[("dispatch", "p95_ms")] == "2000"
    assert actual[("dispatch", "max_error_rate")] == "0"
    assert actual[("alert", "max_error_rate")] == "0.1"
    assert actual[("alert", "min_completion")] == "0.85"
    assert "None" not in html


def test_terminal_shows_the_same_figures(tmp_path):
    import io

    from rich.console import Console

    out = io.StringIO()
    render_terminal(
        build_report(known_run(tmp_path)), Console(file=out, width=100, color_system=None)
    )
    text = out.getvalue()
    dispatch = next(line for line in text.splitlines() if re.match(r"^ dispatch +60 ", line))
    assert dispatch.split()[:5] == ["dispatch", "60", "0", "60", "0"]
    assert re.search(r"^ respond +0 +not reached", text, re.M)


@pytest.mark.slow
def test_chromium_reads_back_every_figure(tmp_path):
    _require_chromium()
    path = tmp_path / "report.html"
    path.write_text(render_html(build_report(known_run(tmp_path / "run"))), encoding="utf-8")
    parsed = _read(dump_dom(path))
    for stage, expected in EXPECTED.items():
        for key, text in expected.items():
            assert parsed.cells[stage][key] == text, (stage, key)
    limits = {(r[1], r[2]): r[3] for r in parsed.rows if len(r) == 6}
    assert limits[("create", "max_error_rate")] == "0.01"
    assert limits[("dispatch", "min_completion")] == "0.99"
