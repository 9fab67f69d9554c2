"""Everything a report shows, as data: :func:`build_report` reads, computes, and returns it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from driftline.errors import DriftlineError
from driftline.findings import Finding, sort_findings
from driftline.report.bottleneck import Bottleneck, find_bottleneck
from driftline.report.compare import Comparison, compare_runs
from driftline.report.heatmap import (
    DEFAULT_MAX_COLS,
    Grid,
    latency_grids,
    relative_grid,
    stage_time_grid,
)
from driftline.report.hours import TicketHours, read_ticket_hours
from driftline.report.rundir import RunData, SlowSample, load_run
from driftline.report.stagerows import StageRow, figures_of
from driftline.systems.load import load_system
from driftline.systems.model import Database

if TYPE_CHECKING:
    from driftline.drills.timeline import Timeline


@dataclass(frozen=True)
class SlowTicket:
    sample: SlowSample
    title: str | None


@dataclass
class Report:
    run_id: str
    path: Path
    verdict: str
    metadata: list[tuple[str, str]]
    verdicts: list[dict[str, Any]]
    findings: list[Finding]
    stage_grid: Grid
    relative_grid: Grid
    latency_grids: list[Grid]
    bottleneck: Bottleneck
    slowest: list[SlowTicket] = field(default_factory=list)
    hours: TicketHours | None = None
    comparison: Comparison | None = None
    #: The drill that made this run, on one time axis (None for a plain stress run).
    timeline: Timeline | None = None

    @property
    def stages(self) -> list[StageRow]:
        """Every stage's row (reached or not), in journey order: the one source of figures."""
        return self.bottleneck.stages


def build_report(
    run_dir: str | Path,
    *,
    db_url: str | None = None,
    compare_dir: str | Path | None = None,
    max_cols: int = DEFAULT_MAX_COLS,
) -> Report:
    """Load ``run_dir`` (and ``compare_dir``, and the ticket database) and compute every grid."""
    data = load_run(run_dir)
    order = data.stage_order
    deadlines = data.deadlines_ms
    hours = None
    if db_url:
        database = run_system_database(data.run)
        hours = read_ticket_hours(db_url, (s.ticket_id for s in data.slowest), database)
    titles = hours.titles if hours else {}
    comparison = None
    if compare_dir is not None:
        other = load_run(compare_dir, slowest=0)
        comparison = compare_runs(
            data.hists, other.hists, order, current_id=data.id, baseline_id=other.id
        )
    return Report(
        run_id=data.id,
        path=data.path,
        verdict=str(data.run.get("verdict") or "unknown"),
        metadata=metadata(data),
        verdicts=[v for v in data.run.get("verdicts") or [] if isinstance(v, dict)],
        findings=sort_findings(data.findings),
        stage_grid=stage_time_grid(data.hists, order, deadlines, max_cols),
        relative_grid=relative_grid(data.hists, order, max_cols),
        latency_grids=latency_grids(data.hists, order, max_cols),
        bottleneck=find_bottleneck(
            data.hists, order, deadlines, figures_of(data.run), data.run.get("not_observed")
        ),
        slowest=[SlowTicket(s, titles.get(s.ticket_id)) for s in data.slowest],
        hours=hours,
        comparison=comparison,
        timeline=drill_timeline(data.path),
    )


def run_system_database(run: dict[str, Any]) -> Database | None:
    """The SQL of the system the run tested (its adapter, named in run.json), if any."""
    config = run.get("config") or {}
    name = config.get("system_file") or config.get("system")
    if not name or config.get("system") == "refsys":
        return None
    try:
        return load_system(name).database
    except DriftlineError:
        try:
            return load_system(config.get("system")).database
        except DriftlineError:
            return None


def drill_timeline(run_dir: Path) -> Timeline | None:
    """The timeline of the drill whose run this is, when the run lies in a drill directory."""
    candidates = (run_dir.parent / "drill.json", run_dir.parent.parent / "drill.json")
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        return None
    from driftline.drills.timeline import load_timeline

    try:
        timeline = load_timeline(path)
    except (OSError, ValueError, KeyError, TypeError):
        return None  # a damaged drill.json costs the picture, never the report
    return timeline if timeline.marks else None


def metadata(data: RunData) -> list[tuple[str, str]]:
    """The run's facts worth a glance, as (label, value) pairs."""
    run = data.run
    config = run.get("config") or {}
    env = run.get("environment") or {}
    gen = run.get("generator") or {}
    throughput = run.get("throughput") or {}
    not_observed = run.get("not_observed") or {}
    pairs: list[tuple[str, Any]] = [
        ("Run", data.id),
        ("Started", run.get("started_at")),
        ("Duration", f"{float(run['duration_s']):g} s" if run.get("duration_s") else None),
        ("Users", config.get("users")),
        ("System", config.get("system")),
        ("Not observed", "; ".join(f"{k}: {v}" for k, v in not_observed.items()) or None),
        ("Target", config.get("target")),
        ("Database", config.get("db")),
        ("Dialect", " ".join(str(x) for x in (env.get("dialect"), env.get("server_version")) if x)),
        ("Tickets", throughput.get("tickets")),
        ("Tickets / s", throughput.get("tickets_per_s")),
        (
            "Generator CPU max",
            f"{gen['cpu_percent_max']:g} %" if "cpu_percent_max" in gen else None,
        ),
        ("Generator saturated", "yes" if gen.get("saturated") else ("no" if gen else None)),
        ("Host", env.get("hostname")),
        ("driftline", env.get("driftline")),
    ]
    return [(label, str(value)) for label, value in pairs if value not in (None, "")]
