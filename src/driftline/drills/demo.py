"""``driftline demo``: the main job on a fresh machine, in a few minutes.

1. prepare a reference database at drill volume (embedded SQLite unless ``db`` is given);
2. a healthy stress run — the green baseline;
3. the index-drop drill: fault, stress, every detector, restore, green again;
4. the HTML report of the faulty run, compared with the healthy one;
5. the embedded database (hundreds of MB, of no use once the report is written) is deleted;
   runs, drill files and the report stay in the demo's directory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from driftline.db import dialect_of
from driftline.drills import calibrate
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
    directory: Path = Path(".")
    #: Files deleted when done (the embedded database), with their size in bytes.
    removed: list[tuple[Path, int]] = field(default_factory=list)

    @property
    def removed_bytes(self) -> int:
        return sum(size for _, size in self.removed)

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
    tickets, floor_ms = VOLUME[dialect_of(db_url)]
    drill_options = DrillOptions(
        db=db_url, out=directory, users=options.users, duration_s=options.duration_s
    )
    prepare(db_url, tickets, say)
    deadline_ms = calibrate.choose(floor_ms, calibrate.healthy_max(db_url), None).ms
    say(f"healthy stress run ({options.users} users, {options.duration_s:.0f} s)")
    base = {"dispatch": {"query_timeout_ms": deadline_ms, "on_query_timeout": "skip"}}
    healthy = stress_run(drill_options, db_url, directory / "healthy", base, options.duration_s)
    drill = run_drill("index-drop", drill_options, progress=say)
    say("writing the HTML report")
    report = write_report(drill.fault.run.run_dir, healthy.run_dir, directory / "report.html")
    removed = remove_embedded_database(directory / "refsys.db") if options.db is None else []
    return DemoResult(healthy, drill, report, directory, removed)


def remove_embedded_database(path: Path) -> list[tuple[Path, int]]:
    """Delete an SQLite database and its journal files; what was deleted, with sizes."""
    removed = []
    for candidate in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))):
        if candidate.exists():
            size = candidate.stat().st_size
            candidate.unlink()
            removed.append((candidate, size))
    return removed


def write_report(run_dir: Path, compare_dir: Path, out: Path) -> Path:
    from driftline.report import write_html_report

    return write_html_report(run_dir, out, compare=compare_dir)


def demo_closing_lines(result: DemoResult) -> list[str]:
    """What was deleted and where everything else is, for the last lines of the demo."""
    lines = []
    if result.removed:
        mb = result.removed_bytes / 1_000_000
        lines.append(f"deleted the embedded database {result.removed[0][0].name} ({mb:,.0f} MB)")
    lines.append(f"runs, drill files and the report are in {result.directory}")
    return lines
