"""A drill on one time axis, drawn from synthetic drill files (no drill is run here)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from rich.console import Console

from driftline.drills.detection import Detection
from driftline.drills.render import drill_findings, timeline_text
from driftline.drills.runner import DrillResult, Phase
from driftline.drills.timeline import load_timeline, timeline_of
from driftline.findings import Severity
from driftline.report import build_report, render_html, render_terminal
from tests.report.synthetic import make_run

DETECTIONS = [
    {"detector": "stress thresholds", "fired": True, "after_s": 6.2, "summary": "fail"},
    {"detector": "queue watchdog", "fired": True, "after_s": 11.0, "summary": "40/60 late"},
    {"detector": "degraded alerts", "fired": False, "after_s": None, "summary": "none"},
    {"detector": "schema check", "fired": True, "after_s": 48.0, "summary": "index.missing"},
    {"detector": "lint", "fired": True, "after_s": 0.0, "summary": "lint.no_where"},
]


def drill_dir(root: Path) -> Path:
    """A drill directory as run_drill leaves it: drill.json, fault/<run>, recovery/<run>."""
    directory = root / "drill-index-drop-20261201T090000Z"
    fault = make_run(directory / "fault", run_id="20261201T090003Z", samples=700)
    recovery = make_run(directory / "recovery", run_id="20261201T090114Z", samples=700, slow=None)
    for run_dir, start, end in (
        (fault, "2026-12-01T09:00:03Z", "2026-12-01T09:00:38Z"),
        (recovery, "2026-12-01T09:01:14Z", "2026-12-01T09:01:49Z"),
    ):
        doc = json.loads((run_dir / "run.json").read_text())
        doc.update(started_at=start, ended_at=end)
        (run_dir / "run.json").write_text(json.dumps(doc))
    drill = {
        "driftline": 1,
        "kind": "drill",
        "drill": "index-drop",
        "summary": "the maintenance script drops the pickup index",
        "fault_at": "2026-12-01T09:00:00Z",
        "restored_at": "2026-12-01T09:01:10Z",
        "caught": True,
        "recovered": True,
        "fault": {"run_dir": str(fault), "detections": DETECTIONS},
        "recovery": {"run_dir": str(recovery), "detections": []},
    }
    (directory / "drill.json").write_text(json.dumps(drill))
    return directory


def _col(lines: list[str], label: str, marks: str = "▼●▲✓├") -> int:
    line = next(line for line in lines if line.startswith(label))
    return min(i for i, ch in enumerate(line) if ch in marks and i >= 24)


def test_timeline_puts_every_moment_in_order_on_one_axis(tmp_path):
    timeline = load_timeline(drill_dir(tmp_path) / "drill.json")
    out = io.StringIO()
    Console(file=out, width=80, color_system=None).print(timeline_text(timeline, 80))
    text = out.getvalue()
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    order = [
        "fault injected",
        "stress under the fault",
        "stress thresholds",
        "queue watchdog",
        "schema check",
        "restored",
        "stress after restore",
        "green again",
    ]
    cols = [_col(lines, label) for label in order]
    assert cols == sorted(cols) and cols[0] == 25 and cols[-1] == 79
    assert "● 6.2 s" in text and "● 48.0 s" in text
    assert re.search(r"^lint +● before it ran", text, re.M)
    assert re.search(r"^degraded alerts +not fired", text, re.M)


def test_report_of_a_drill_run_draws_the_timeline_above_the_stages(tmp_path):
    directory = drill_dir(tmp_path)
    (fault_run,) = (directory / "fault").iterdir()
    report = build_report(fault_run)
    assert report.timeline is not None
    html = render_html(report)
    assert html.index('id="timeline"') < html.index('id="stage-time"')
    assert html.count("<circle") >= 4 and "queue watchdog" in html
    out = io.StringIO()
    render_terminal(report, Console(file=out, width=100, color_system=None))
    text = out.getvalue()
    assert text.index("seconds after the fault") < text.index("Stages over time")
    plain = build_report(make_run(tmp_path / "plain", samples=700))
    assert plain.timeline is None and 'id="timeline"' not in render_html(plain)


def test_damaged_drill_json_costs_only_the_picture(tmp_path):
    directory = drill_dir(tmp_path)
    (directory / "drill.json").write_text("{not json")
    (fault_run,) = (directory / "fault").iterdir()
    assert build_report(fault_run).timeline is None


def test_drill_as_findings_for_ci():
    def phase(name: str, detections: list[Detection]) -> Phase:
        return Phase(name, None, detections)  # type: ignore[arg-type]

    fired = Detection("queue watchdog", True, "40/60 late", after_s=11.0)
    quiet = Detection("roster coverage", False, "every department covered")
    still = Detection("schema check", True, "index.missing")
    result = DrillResult(
        "index-drop",
        "drop",
        "sqlite",
        Path("."),
        None,  # type: ignore[arg-type]
        phase("fault", [fired, quiet]),
        phase("recovery", [still]),
    )
    findings = drill_findings(result)
    kinds = [(f.severity, f.kind, f.object) for f in findings]
    assert (Severity.INFO, "drill.detected", "queue watchdog") in kinds
    assert (Severity.INFO, "drill.quiet", "roster coverage") in kinds
    assert (Severity.ERROR, "drill.not_recovered", "schema check") in kinds
    assert "11.0 s after the fault" in findings[0].message


def test_timeline_without_fault_time_is_empty():
    assert timeline_of({"drill": "x"}, {}, {}).marks == []


def test_drill_output_reads_at_80_columns(tmp_path):
    from datetime import datetime

    from driftline.drills.render import drill_renderable
    from driftline.stress.judge import rejudge
    from tests.report.test_figures import known_run

    run = rejudge(known_run(tmp_path / "fault"))
    healthy = rejudge(known_run(tmp_path / "recovery"))
    detections = [
        Detection(
            "stress thresholds",
            True,
            "fail: dispatch not reached, alert completion 0.85 < 0.95",
            after_s=6.2,
        ),
        Detection("queue watchdog", True, "40/60 tickets not dispatched within 10 s", after_s=11),
        Detection("roster coverage", False, "every department has someone on primary duty"),
        Detection("lint", True, "would have failed CI before the script ran", after_s=0.0),
    ]
    result = DrillResult(
        "index-drop",
        "the maintenance script drops ix_ticket_status_log_status_changed",
        "sqlite:///runs/drill/refsys.db",
        tmp_path,
        datetime(2026, 12, 1, 9, 0, 0),
        Phase("fault", run, detections),
        Phase("recovery", healthy, [Detection("queue watchdog", False, "all dispatched")]),
        restored_at=datetime(2026, 12, 1, 9, 0, 50),
    )
    out = io.StringIO()
    Console(file=out, width=80, color_system=None).print(drill_renderable(result))
    text = out.getvalue()
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "…" not in text
    for word in ("stress thresholds", "queue watchdog", "roster coverage", "not dispatched"):
        assert word in text
    assert text.index("seconds after the fault") < text.index("under the fault")
    assert re.search(r"^queue watchdog +● 11\.0 s", text, re.M)
