"""A drill on one time axis: the fault, both stress runs, each detector's first sign, the restore.

Numbers only (seconds after the fault); :mod:`driftline.drills.render` draws it in the terminal and
:mod:`driftline.report.svg` in the HTML report. It is built from the documents a drill writes
(``drill.json`` and both runs' ``run.json``), so a report can draw it from files alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from driftline.stress import rundir


@dataclass(frozen=True)
class Span:
    """A stretch of the axis: a stress run."""

    label: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class Mark:
    """A moment: ``kind`` is ``fault``, ``detector``, ``restore`` or ``green`` (or ``missed``)."""

    label: str
    at_s: float | None
    kind: str
    note: str = ""


@dataclass
class Timeline:
    drill: str
    spans: list[Span] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)

    @property
    def end_s(self) -> float:
        ends = [s.end_s for s in self.spans] + [m.at_s for m in self.marks if m.at_s is not None]
        return max([1.0, *ends])

    @property
    def rows(self) -> list[Span | Mark]:
        """Everything in the order it happened (unfired detectors last)."""
        items: list[Span | Mark] = [*self.spans, *self.marks]
        return sorted(items, key=_start)


def _start(item: Span | Mark) -> tuple[int, float]:
    at = item.start_s if isinstance(item, Span) else item.at_s
    return (1, 0.0) if at is None else (0, at)


def _moment(text: Any) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(str(text).rstrip("Z")).replace(tzinfo=None)


def _span(label: str, run: Mapping[str, Any], fault_at: datetime) -> Span | None:
    start, end = _moment(run.get("started_at")), _moment(run.get("ended_at"))
    if start is None or end is None:
        return None
    return Span(label, (start - fault_at).total_seconds(), (end - fault_at).total_seconds())


def timeline_of(
    drill: Mapping[str, Any], fault_run: Mapping[str, Any], recovery_run: Mapping[str, Any]
) -> Timeline:
    """The timeline of a drill document (``drill.json``) and its two runs' ``run.json``."""
    fault_at = _moment(drill.get("fault_at"))
    timeline = Timeline(str(drill.get("drill") or "drill"))
    if fault_at is None:
        return timeline
    timeline.marks.append(Mark("fault injected", 0.0, "fault", str(drill.get("summary") or "")))
    phases = (("stress under the fault", fault_run), ("stress after restore", recovery_run))
    for label, run in phases:
        span = _span(label, run, fault_at)
        if span is not None:
            timeline.spans.append(span)
    for d in (drill.get("fault") or {}).get("detections") or []:
        fired = bool(d.get("fired"))
        at = d.get("after_s") if fired else None
        kind = "detector" if fired else "missed"
        timeline.marks.append(Mark(str(d.get("detector")), at, kind, str(d.get("summary"))))
    restored = _moment(drill.get("restored_at")) or _moment(recovery_run.get("started_at"))
    if restored is not None:
        timeline.marks.append(Mark("restored", (restored - fault_at).total_seconds(), "restore"))
        recovery_end = _moment(recovery_run.get("ended_at"))
        if drill.get("recovered") and recovery_end is not None:
            at = (recovery_end - fault_at).total_seconds()
            timeline.marks.append(Mark("green again", at, "green", "no detector fires"))
    return timeline


def load_timeline(drill_json: str | Path) -> Timeline:
    """The timeline of a drill directory's ``drill.json`` (reading both runs it names)."""
    import json

    doc = json.loads(Path(drill_json).read_text(encoding="utf-8"))
    runs = []
    for phase in ("fault", "recovery"):
        run_dir = (doc.get(phase) or {}).get("run_dir")
        runs.append(rundir.read_run(Path(run_dir)) if run_dir and Path(run_dir).exists() else {})
    return timeline_of(doc, runs[0], runs[1])
