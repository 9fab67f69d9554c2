"""Stage tracking wired into Locust: import this module from a locustfile.

What it adds to a Locust process (standalone, master or worker):

- options ``--stage-dir DIR`` (write the stage outputs there when the run ends),
  ``--stage-status-file FILE`` (a JSON status rewritten every second, for live views),
  ``--stage-epoch`` (the run's time zero; the master sets it and ships it to the workers) and
  ``--stage-slice-s`` (histogram time slice, default 5 s);
- one :class:`~driftline.stress.stages.StageTracker` per process (:data:`PLUGIN`). Workers ship
  what they recorded with each Locust report (``events.report_to_master``, key
  ``driftline_stages``); the master merges it (``events.worker_report``). Stage samples never
  become Locust requests, so requests/s and the failure ratio stay pure HTTP;
- a "Stages" tab in the web UI (``extended_tabs`` + ``extended_stats`` on ``/stats/requests``),
  a ``/stages/csv`` download, and ``<--csv prefix>_stages.csv`` next to Locust's own CSV files;
- :data:`PLUGIN.stopping <Plugin.stopping>`, set when the test starts stopping, so journeys can
  end their current step at once (their tickets stay ``in_flight`` in the ledger).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gevent
import gevent.event
from locust import events
from locust.env import Environment
from locust.runners import MasterRunner, WorkerRunner

from driftline.stress.stages import STAGE_ORDER, StageTracker
from driftline.stress.summary import stage_figures

log = logging.getLogger("driftline.stages")

REPORT_KEY = "driftline_stages"
STATUS_INTERVAL_S = 1.0
SAMPLE_COLUMNS = ("ticket_id", "stage", "t_offset_s", "latency_ms", "ok", "reason", "worker")
STAGE_CSV_COLUMNS = (
    "Stage",
    "Deadline ms",
    "Count",
    "OK",
    "Failed",
    "Errors",
    "Deadline missed",
    "Completion",
    "Error rate",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "Max ms",
)


@dataclass
class Plugin:
    """Per-process state of stage tracking."""

    tracker: StageTracker = field(default_factory=StageTracker)
    deadlines_ms: dict[str, float] = field(default_factory=dict)
    stage_order: tuple[str, ...] = STAGE_ORDER  # the system's stages (set by its locustfile)
    not_observed: dict[str, str] = field(default_factory=dict)  # stage → why it is not observed
    system: str = "refsys"  # the system adapter (shipped name or file)
    stopping: gevent.event.Event = field(default_factory=gevent.event.Event)
    environment: Environment | None = None
    started_at: float | None = None
    stopping_at: float | None = None
    stopped_at: float | None = None
    cpu_warning: bool = False
    peak_workers: int = 0

    @property
    def is_worker(self) -> bool:
        return self.environment is not None and isinstance(self.environment.runner, WorkerRunner)

    @property
    def is_master(self) -> bool:
        return self.environment is not None and isinstance(self.environment.runner, MasterRunner)

    def use_stages(
        self,
        stage_order: tuple[str, ...],
        deadlines_ms: dict[str, float],
        not_observed: dict[str, str] | None = None,
    ) -> None:
        """The stages of the system under test (its adapter's): order, deadlines, and the
        stages it lacks with the reason."""
        self.stage_order = tuple(stage_order)
        self.deadlines_ms = dict(deadlines_ms)
        self.not_observed = dict(not_observed or {})
        self.tracker.set_stage_order(self.stage_order)

    def option(self, name: str, default: Any = None) -> Any:
        opts = self.environment.parsed_options if self.environment is not None else None
        return getattr(opts, name, default) if opts is not None else default


PLUGIN = Plugin()


def add_journey_options(parser: Any) -> None:
    """The options every ticket journey takes: its customers and the run's tag."""
    parser.add_argument(
        "--customers", type=int, default=200, help="customer ids 1..N the journeys use"
    )
    parser.add_argument(
        "--run-tag",
        default="",
        include_in_web_ui=False,
        help="tag put in every ticket title (reconciliation finds them by it)",
    )


@events.init_command_line_parser.add_listener
def _add_options(parser: Any) -> None:
    parser.add_argument(
        "--stage-dir",
        default="",
        include_in_web_ui=False,
        help="driftline: write stage histograms, samples and ledger here when the run ends",
    )
    parser.add_argument(
        "--stage-status-file",
        default="",
        include_in_web_ui=False,
        help="driftline: rewrite this JSON status file every second",
    )
    parser.add_argument(
        "--stage-epoch",
        type=float,
        default=0.0,
        include_in_web_ui=False,
        help="driftline: time zero of the run (epoch seconds; default: when the test starts)",
    )
    parser.add_argument(
        "--stage-managed",
        action="store_true",
        default=False,
        include_in_web_ui=False,
        help="driftline: driftline stress run writes run.json (else this process does, and "
        "without --stage-dir the run goes to runs/<UTC time>)",
    )
    parser.add_argument(
        "--stage-slice-s",
        type=float,
        default=5.0,
        include_in_web_ui=False,
        help="driftline: histogram time slice in seconds",
    )


@events.init.add_listener
def _on_init(environment: Environment, **_: Any) -> None:
    PLUGIN.environment = environment
    runner = environment.runner
    worker = "local"
    if isinstance(runner, WorkerRunner):
        worker = f"{runner.client_id}"
    elif isinstance(runner, MasterRunner):
        worker = "master"
    slice_s = float(PLUGIN.option("stage_slice_s", 5.0) or 5.0)
    PLUGIN.tracker = StageTracker(
        epoch=time.time(), slice_s=slice_s, worker=worker, stage_order=PLUGIN.stage_order
    )
    if isinstance(runner, WorkerRunner):
        return
    gevent.spawn(_status_loop)
    if environment.web_ui is not None:
        _extend_web_ui(environment)
    # Locust arms its --run-time timer right after init, with gevent.spawn_later, which counts
    # from the event loop's cached clock. That clock stopped when the loop was created, before
    # Locust's blocking start-up; on a loaded machine start-up takes seconds and the run ended
    # that much early (a 6 s run stopped after 0.1 s). Refresh the clock so the timer counts
    # from now.
    gevent.get_hub().loop.update_now()


@events.test_start.add_listener
def _on_test_start(environment: Environment, **_: Any) -> None:
    PLUGIN.stopping.clear()
    PLUGIN.started_at = time.time()
    PLUGIN.stopping_at = PLUGIN.stopped_at = None
    opts = environment.parsed_options
    epoch = float(getattr(opts, "stage_epoch", 0.0) or 0.0) if opts is not None else 0.0
    if not epoch:
        epoch = PLUGIN.started_at
        if opts is not None and not PLUGIN.is_worker:
            opts.stage_epoch = epoch  # shipped to the workers with the spawn message
    PLUGIN.tracker.epoch = epoch


@events.test_stopping.add_listener
def _on_test_stopping(**_: Any) -> None:
    PLUGIN.stopping_at = time.time()
    PLUGIN.stopping.set()


@events.test_stop.add_listener
def _on_test_stop(**_: Any) -> None:
    PLUGIN.stopped_at = time.time()


@events.cpu_warning.add_listener
def _on_cpu_warning(**_: Any) -> None:
    PLUGIN.cpu_warning = True


@events.report_to_master.add_listener
def _on_report_to_master(client_id: str, data: dict[str, Any], **_: Any) -> None:
    data[REPORT_KEY] = PLUGIN.tracker.collect()


@events.worker_report.add_listener
def _on_worker_report(client_id: str, data: dict[str, Any], **_: Any) -> None:
    payload = data.get(REPORT_KEY)
    if payload:
        PLUGIN.tracker.absorb(payload)


@events.quit.add_listener
def _on_quit(**_: Any) -> None:
    if PLUGIN.environment is None or PLUGIN.is_worker:
        return
    PLUGIN.tracker.absorb_own()
    write_status()
    out = PLUGIN.option("stage_dir", "")
    managed = bool(PLUGIN.option("stage_managed", False))
    if not out and not managed and PLUGIN.started_at is not None:
        from driftline.stress.rundir import new_run_dir

        out = str(new_run_dir("runs"))
    if out:
        write_outputs(Path(out))
        if not managed:
            _write_plain_run(Path(out))
    prefix = PLUGIN.option("csv_prefix", "")
    if prefix:
        Path(f"{prefix}_stages.csv").write_text(stages_csv(), encoding="utf-8")


def _write_plain_run(out: Path) -> None:
    """A plain Locust run: judge it and write run.json, so report and stress judge read it."""
    from driftline.stress.plain import write_plain_run

    env = PLUGIN.environment
    try:
        result = write_plain_run(
            out,
            system=PLUGIN.system,
            host=getattr(env, "host", None),
            users=getattr(env.runner, "target_user_count", None) if env else None,
            cpu_warning=PLUGIN.cpu_warning,
        )
        log.info("driftline: run directory %s (verdict %s)", out, result.verdict)
    except Exception:  # the run's own files are written; never fail Locust's exit on this
        log.exception("driftline: could not write run.json in %s", out)


# -- figures -------------------------------------------------------------------------------
def figures() -> dict[str, dict[str, Any]]:
    """Current per-stage figures of this process's totals (exact percentiles)."""
    observed = [s for s in PLUGIN.stage_order if s not in PLUGIN.not_observed]
    figs = stage_figures(PLUGIN.tracker.samples, PLUGIN.deadlines_ms, observed)
    return {stage: fig.to_dict() for stage, fig in figs.items()}


def stages_csv() -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(STAGE_CSV_COLUMNS)
    for stage, f in figures().items():
        writer.writerow(
            [
                stage,
                f["deadline_ms"],
                f["count"],
                f["ok"],
                f["failed"],
                f["errors"],
                f["deadline_missed"],
                f["completion"],
                f["error_rate"],
                f["p50_ms"],
                f["p95_ms"],
                f["p99_ms"],
                f["max_ms"],
            ]
        )
    return buffer.getvalue()


def _live_stages() -> dict[str, dict[str, Any]]:
    """Cheap live figures from the merged histograms (p95 within ~9 %)."""
    result = {}
    for stage in PLUGIN.stage_order:
        sliced = PLUGIN.tracker.hist.stages.get(stage)
        if sliced is None:
            continue
        total = sliced.total()
        p95 = total.quantile(0.95)
        result[stage] = {
            "count": total.count,
            "failed": total.errors,
            "p95_ms": None if p95 is None else round(p95, 1),
        }
    return result


def status() -> dict[str, Any]:
    """The live status document (see README: "Stress run directory", ``status.json``)."""
    env = PLUGIN.environment
    runner = env.runner if env is not None else None
    total = runner.stats.total if runner is not None else None
    workers: dict[str, float] = {}
    if isinstance(runner, MasterRunner):
        workers = {str(c.id): float(c.cpu_usage) for c in runner.clients.values()}
        PLUGIN.peak_workers = max(PLUGIN.peak_workers, len(workers))
    tickets = len(PLUGIN.tracker.ledger)
    return {
        "driftline": 1,
        "kind": "stress-status",
        "time": time.time(),
        "state": getattr(runner, "state", "init"),
        "users": getattr(runner, "user_count", 0),
        "workers": len(workers),
        "peak_workers": PLUGIN.peak_workers,
        "requests": total.num_requests if total else 0,
        "failures": total.num_failures if total else 0,
        "rps": round(total.current_rps, 2) if total else 0.0,
        "fail_ratio": round(total.fail_ratio, 4) if total else 0.0,
        "cpu_percent": getattr(runner, "current_cpu_usage", 0.0),
        "worker_cpu_percent": workers,
        "cpu_warning": PLUGIN.cpu_warning or bool(getattr(runner, "worker_cpu_warning_emitted", 0)),
        "epoch": PLUGIN.tracker.epoch,
        "started_at": PLUGIN.started_at,
        "stopping_at": PLUGIN.stopping_at,
        "stopped_at": PLUGIN.stopped_at,
        "tickets": tickets,
        "stage_order": list(PLUGIN.stage_order),
        "not_observed": dict(PLUGIN.not_observed),
        "stages": _live_stages(),
    }


def write_status() -> None:
    path = PLUGIN.option("stage_status_file", "")
    if not path:
        return
    _write_atomic(Path(path), json.dumps(status(), indent=1, sort_keys=True))


def _status_loop() -> None:
    while True:
        gevent.sleep(STATUS_INTERVAL_S)
        try:
            if not PLUGIN.is_master:
                PLUGIN.tracker.absorb_own()
            write_status()
        except Exception:  # a status hiccup must never stop the load test
            log.exception("driftline: could not write the stage status")


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


# -- outputs -------------------------------------------------------------------------------
def write_outputs(out: Path) -> None:
    """``histograms.json``, ``samples.csv.gz``, ``ledger.json``, ``stages.csv`` and
    ``locust/stages-run.json`` (timings, deadlines, generator warnings) under ``out``."""
    tracker = PLUGIN.tracker
    out.mkdir(parents=True, exist_ok=True)
    _write_atomic(out / "histograms.json", json.dumps(tracker.hist.to_dict(), indent=1) + "\n")
    with gzip.open(out / "samples.csv.gz", "wt", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(SAMPLE_COLUMNS)
        for s in sorted(tracker.samples, key=lambda s: (s.t, s.stage, s.ticket_id)):
            writer.writerow(s.row())
    ledger = {
        "driftline": 1,
        "kind": "stress-ledger",
        "tickets": [tracker.ledger[k].to_dict() for k in sorted(tracker.ledger, key=_id_key)],
        "create_failures": dict(sorted(tracker.create_failures.items())),
    }
    _write_atomic(out / "ledger.json", json.dumps(ledger, indent=1) + "\n")
    _write_atomic(out / "stages.csv", stages_csv())
    meta = {
        "driftline": 1,
        "kind": "stress-locust-side",
        "epoch": tracker.epoch,
        "started_at": PLUGIN.started_at,
        "stopping_at": PLUGIN.stopping_at,
        "stopped_at": PLUGIN.stopped_at,
        "deadlines_ms": PLUGIN.deadlines_ms,
        "stage_order": list(PLUGIN.stage_order),
        "not_observed": dict(PLUGIN.not_observed),
        "slice_s": tracker.slice_s,
        "workers": sorted({s.worker for s in tracker.samples}),
        "status": status(),
    }
    _write_atomic(out / "locust" / "stages-run.json", json.dumps(meta, indent=1) + "\n")


def _id_key(tid: str) -> tuple[int, str]:
    return (int(tid), "") if tid.isdigit() else (1 << 62, tid)


# -- web UI --------------------------------------------------------------------------------
_TABLE = [
    {"key": "stage", "title": "Stage"},
    {"key": "count", "title": "Count"},
    {"key": "ok", "title": "OK"},
    {"key": "failed", "title": "Failed"},
    {"key": "completion", "title": "Completion"},
    {"key": "p50", "title": "p50 (ms)"},
    {"key": "p95", "title": "p95 (ms)"},
    {"key": "p99", "title": "p99 (ms)"},
    {"key": "max", "title": "Max (ms)"},
    {"key": "deadline", "title": "Deadline (ms)"},
]


def _ui_rows() -> list[dict[str, Any]]:
    rows = []
    for stage, f in figures().items():
        rows.append(
            {
                "stage": stage,
                "count": f["count"],
                "ok": f["ok"],
                "failed": f["failed"],
                "completion": f["completion"],
                "p50": f["p50_ms"],
                "p95": f["p95_ms"],
                "p99": f["p99_ms"],
                "max": f["max_ms"],
                "deadline": f["deadline_ms"],
            }
        )
    return rows


def _extend_web_ui(environment: Environment) -> None:
    from flask import Response, request

    web_ui = environment.web_ui
    web_ui.template_args["extended_tabs"] = [{"title": "Stages", "key": "stages"}]
    web_ui.template_args["extended_tables"] = [{"key": "stages", "structure": _TABLE}]
    web_ui.template_args["extended_csv_files"] = [
        {"href": "./stages/csv", "title": "Download stages CSV"}
    ]

    @web_ui.app.after_request
    def _add_stages(response: Response) -> Response:
        if request.path.rstrip("/").endswith("/stats/requests") and response.is_json:
            body = response.get_json()
            body["extended_stats"] = [{"key": "stages", "data": _ui_rows()}]
            response.set_data(json.dumps(body))
        return response

    @web_ui.app.route("/stages/csv")
    def _stages_csv() -> Response:
        return Response(
            stages_csv(),
            mimetype="text/csv",
            headers={"Content-disposition": "attachment;filename=stages.csv"},
        )
