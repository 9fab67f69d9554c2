"""``driftline demo``: the main job on a fresh machine, in a few minutes.

1. prepare a reference database at drill volume (embedded SQLite unless ``db`` is given);
2. a healthy stress run — the green baseline;
3. the index-drop drill: fault, stress, every detector, restore, green again;
4. the HTML report of the faulty run, compared with the healthy one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from driftline.db import dialect_of
from driftline.drills.runner import (
    VOLUME,
    DrillOptions,
    DrillResult,
    prepare,
    run_drill,
    stress_run,
)
from driftline.stress import RunResult


@dataclass
class DemoOptions:
    db: str | None = None
    out: Path = Path("runs")
    users: int = 30
    duration_s: float = 30.0


@dataclass
class DemoResult:
    healthy: RunResult
    drill: DrillResult
    report: Path

    @property
    def exit_code(self) -> int:
        healthy_ok = self.healthy.verdict == "pass"
        return 0 if healthy_ok and self.drill.exit_code == 0 else 1


def run_demo(options: DemoOptions, progress: Callable[[str], None] | None = None) -> DemoResult:
    say = progress or (lambda _m: None)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    directory = Path(options.out) / f"demo-{stamp}"
    directory.mkdir(parents=True, exist_ok=True)
    db_url = options.db or f"sqlite:///{directory / 'refsys.db'}"
    tickets, deadline_ms = VOLUME[dialect_of(db_url)]
    drill_options = DrillOptions(
        db=db_url, out=directory, users=options.users, duration_s=options.duration_s
    )
    prepare(db_url, tickets, say)
    say(f"healthy stress run ({options.users} users, {options.duration_s:.0f} s)")
    base = {"dispatch": {"query_timeout_ms": deadline_ms, "on_query_timeout": "skip"}}
    healthy = stress_run(drill_options, db_url, directory / "healthy", base, options.duration_s)
    drill = run_drill("index-drop", drill_options, progress=say)
    say("writing the HTML report")
    report = write_report(drill.fault.run.run_dir, healthy.run_dir, directory / "report.html")
    return DemoResult(healthy, drill, report)


def write_report(run_dir: Path, compare_dir: Path, out: Path) -> Path:
    from driftline.report import write_html_report

    return write_html_report(run_dir, out, compare=compare_dir)
