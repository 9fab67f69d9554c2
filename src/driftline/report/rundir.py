"""Loading a stress run directory for the report: run.json, histograms and the slowest samples."""

from __future__ import annotations

import csv
import gzip
import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from driftline.errors import BaselineError, InputFileError
from driftline.findings import Finding
from driftline.stress.histogram import StageHistograms
from driftline.stress.rundir import (
    HISTOGRAMS_FILE,
    RUN_FILE,
    SAMPLES_FILE,
    read_histograms,
    read_run,
)

SLOWEST = 10


@dataclass(frozen=True)
class SlowSample:
    """One of the slowest stage samples of the run."""

    ticket_id: str
    stage: str
    t_offset_s: float
    latency_ms: float
    ok: bool
    reason: str


@dataclass
class RunData:
    path: Path
    run: dict[str, Any]
    hists: StageHistograms
    slowest: list[SlowSample] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.run.get("id") or self.path.name)

    @property
    def stage_order(self) -> list[str]:
        order = self.run.get("stage_order")
        return [str(s) for s in order] if isinstance(order, list) else []

    @property
    def deadlines_ms(self) -> dict[str, float]:
        stages = self.run.get("stages") or {}
        return {
            name: float(info["deadline_ms"])
            for name, info in stages.items()
            if isinstance(info, dict) and info.get("deadline_ms")
        }

    @property
    def findings(self) -> list[Finding]:
        return [Finding.from_dict(item) for item in self.run.get("findings") or []]


def load_run(run_dir: str | Path, *, slowest: int = SLOWEST) -> RunData:
    """Read a run directory; a missing or malformed file raises an error naming it."""
    path = Path(run_dir)
    if not path.exists():
        raise InputFileError(path, "no such run directory")
    if not path.is_dir():
        raise InputFileError(path, "not a run directory (expected a folder holding run.json)")
    run = read_run(path)
    _check_run(path / RUN_FILE, run)
    samples_path = path / SAMPLES_FILE
    if (path / HISTOGRAMS_FILE).exists():
        hists = read_histograms(path)
        slow = _slowest(samples_path, slowest) if samples_path.exists() else []
    elif samples_path.exists():
        hists, slow = _from_samples(samples_path, slowest)
    else:
        raise InputFileError(
            path / HISTOGRAMS_FILE, "missing (and no samples.csv.gz to rebuild it)"
        )
    return RunData(path, run, hists, slow)


def _check_run(path: Path, run: dict[str, Any]) -> None:
    for key, kind in (("stages", dict), ("stage_order", list), ("findings", list)):
        if key in run and not isinstance(run[key], kind):
            raise BaselineError(path, f"'{key}' must be a {'list' if kind is list else 'mapping'}")
    try:
        for item in run.get("findings") or []:
            Finding.from_dict(item)
    except (KeyError, TypeError, ValueError) as exc:
        raise BaselineError(path, f"malformed finding in 'findings': {exc}") from None


def _rows(path: Path) -> Iterator[tuple[float, list[str]]]:
    try:
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if not header or header[:4] != ["ticket_id", "stage", "t_offset_s", "latency_ms"]:
                raise InputFileError(path, "unexpected header (ticket_id,stage,t_offset_s,…)", 1)
            for line, row in enumerate(reader, start=2):
                try:
                    yield float(row[3]), row
                except (IndexError, ValueError):
                    raise InputFileError(path, "malformed sample row", line) from None
    except (OSError, EOFError) as exc:
        raise InputFileError(
            path, f"cannot read: {getattr(exc, 'strerror', None) or exc}"
        ) from None


def _sample(row: list[str]) -> SlowSample:
    reason = row[5] if len(row) > 5 else ""
    return SlowSample(row[0], row[1], float(row[2]), float(row[3]), row[4] == "1", reason)


def _slowest(path: Path, n: int) -> list[SlowSample]:
    top = heapq.nlargest(n, _rows(path), key=lambda item: item[0])
    return [_sample(row) for _, row in top]


def _from_samples(path: Path, n: int) -> tuple[StageHistograms, list[SlowSample]]:
    hists = StageHistograms()
    top: list[tuple[float, int, list[str]]] = []
    for i, (latency, row) in enumerate(_rows(path)):
        try:
            hists.record(row[1], float(row[2]), latency, row[4] == "1")
        except (IndexError, ValueError):
            raise InputFileError(path, "malformed sample row", i + 2) from None
        if len(top) < n:
            heapq.heappush(top, (latency, i, row))
        elif latency > top[0][0]:
            heapq.heapreplace(top, (latency, i, row))
    return hists, [_sample(row) for _, _, row in sorted(top, reverse=True)]
