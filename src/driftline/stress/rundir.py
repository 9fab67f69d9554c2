"""The stress run directory: ``<out>/<UTC timestamp>/`` with ``run.json`` and friends.

Written by :mod:`driftline.stress.runner` (``run.json``, summaries) and by the Locust master
(``histograms.json``, ``samples.csv.gz``, ``ledger.json``, ``stages.csv``, ``status.json``,
``locust/``); read by ``driftline report`` and the drills. The layout is documented in README
("Stress run directory"); every JSON file starts with ``"driftline": 1`` and a ``kind``.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from driftline.errors import BaselineError, InputFileError
from driftline.stress.histogram import StageHistograms
from driftline.stress.stages import STAGE_ORDER, LedgerEntry, Sample

RUN_FILE = "run.json"
HISTOGRAMS_FILE = "histograms.json"
SAMPLES_FILE = "samples.csv.gz"
LEDGER_FILE = "ledger.json"
STATUS_FILE = "status.json"
LOCUST_DIR = "locust"
LOCUST_SIDE_FILE = "locust/stages-run.json"
JUNIT_FILE = "junit.xml"
SUMMARY_FILE = "summary.md"

#: Top-level keys of run.json, in the order they are written.
RUN_KEYS = (
    "driftline",
    "kind",
    "id",
    "started_at",
    "ended_at",
    "duration_s",
    "config",
    "environment",
    "generator",
    "stage_order",
    "not_observed",
    "stages",
    "throughput",
    "thresholds",
    "verdicts",
    "verdict",
    "exit_code",
    "reconcile",
    "workers",
    "locust",
    "findings",
)


def iso(ts: float | datetime) -> str:
    """``2026-11-25T07:15:00.000000Z``."""
    moment = ts if isinstance(ts, datetime) else datetime.fromtimestamp(ts, UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def run_id(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def new_run_dir(out: str | Path, moment: datetime | None = None) -> Path:
    """Create ``<out>/<UTC timestamp>/`` (``-2``, ``-3`` … when that second is taken)."""
    base = Path(out)
    base.mkdir(parents=True, exist_ok=True)
    name = run_id(moment)
    candidate = base / name
    n = 1
    while True:
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            n += 1
            candidate = base / f"{name}-{n}"


def ordered_run(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with the top-level keys in :data:`RUN_KEYS` order (unknown keys last, sorted)."""
    known = {k: doc[k] for k in RUN_KEYS if k in doc}
    extra = {k: doc[k] for k in sorted(doc) if k not in known}
    return {**known, **extra}


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_run(run_dir: Path, doc: dict[str, Any]) -> Path:
    path = run_dir / RUN_FILE
    write_json(path, ordered_run(doc))
    return path


def _load_json(path: Path, kind: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputFileError(path, f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputFileError(path, "not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise InputFileError(path, f"not valid JSON: {exc.msg}", exc.lineno) from None
    except RecursionError:
        raise InputFileError(path, "JSON nested too deeply to read") from None
    if not isinstance(data, dict) or data.get("driftline") != 1 or data.get("kind") != kind:
        raise BaselineError(path, f"not a driftline {kind} file (driftline: 1, kind: {kind})")
    return data


def read_run(run_dir: str | Path) -> dict[str, Any]:
    """``run.json`` of a run directory (or the file itself)."""
    path = Path(run_dir)
    if path.is_dir():
        path = path / RUN_FILE
    return _load_json(path, "stress-run")


def read_histograms(run_dir: str | Path) -> StageHistograms:
    return StageHistograms.from_dict(
        _load_json(Path(run_dir) / HISTOGRAMS_FILE, "stage-histograms")
    )


def read_ledger(run_dir: str | Path) -> tuple[dict[str, LedgerEntry], dict[str, int]]:
    """Ledger entries by ticket id, and create failures by reason."""
    data = _load_json(Path(run_dir) / LEDGER_FILE, "stress-ledger")
    entries = [LedgerEntry.from_dict(item) for item in data.get("tickets", [])]
    return {e.ticket_id: e for e in entries}, dict(data.get("create_failures", {}))


def iter_samples(run_dir: str | Path) -> Iterator[Sample]:
    """Raw stage samples from ``samples.csv.gz``."""
    path = Path(run_dir) / SAMPLES_FILE
    try:
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if not header or header[:6] != [
                "ticket_id",
                "stage",
                "t_offset_s",
                "latency_ms",
                "ok",
                "reason",
            ]:
                raise InputFileError(path, "unexpected header (ticket_id,stage,t_offset_s,…)", 1)
            for row in reader:
                yield Sample.from_row(row)
    except OSError as exc:
        raise InputFileError(path, f"cannot read: {exc.strerror or exc}") from None


@dataclass(frozen=True)
class LocustSide:
    """What the Locust master recorded besides samples (``locust/stages-run.json``)."""

    epoch: float
    started_at: float | None
    stopping_at: float | None
    stopped_at: float | None
    deadlines_ms: dict[str, float]
    workers: list[str]
    status: dict[str, Any]
    stage_order: tuple[str, ...] = STAGE_ORDER
    not_observed: dict[str, str] = field(default_factory=dict)

    @property
    def load_duration_s(self) -> float | None:
        if self.started_at is None:
            return None
        end = self.stopping_at or self.stopped_at
        return None if end is None else max(0.0, end - self.started_at)


def read_locust_side(run_dir: str | Path) -> LocustSide:
    data = _load_json(Path(run_dir) / LOCUST_SIDE_FILE, "stress-locust-side")
    return LocustSide(
        epoch=float(data.get("epoch") or 0.0),
        started_at=data.get("started_at"),
        stopping_at=data.get("stopping_at"),
        stopped_at=data.get("stopped_at"),
        deadlines_ms={k: float(v) for k, v in (data.get("deadlines_ms") or {}).items()},
        workers=list(data.get("workers") or []),
        status=dict(data.get("status") or {}),
        stage_order=tuple(data.get("stage_order") or STAGE_ORDER),
        not_observed={str(k): str(v) for k, v in (data.get("not_observed") or {}).items()},
    )


def tidy_locust_files(run_dir: Path, prefix: str = "locust") -> None:
    """Locust writes ``<prefix>_stats.csv`` …; the run directory names them ``stats.csv`` …"""
    folder = run_dir / LOCUST_DIR
    for path in folder.glob(f"{prefix}_*.csv"):
        path.replace(folder / path.name[len(prefix) + 1 :])
