"""Health of the load generator: CPU of the Locust processes, and whether they saturated.

A saturated generator measures itself, not the system under test: requests queue inside the
client, latencies grow and throughput flattens. Locust warns when one of its processes passes
90 % CPU; driftline samples every Locust process it started once a second (psutil) and calls the
run *saturated* when any process averaged at least :data:`SATURATION_PERCENT` over any window
of :data:`WINDOW_S` seconds. A saturated run is inconclusive (exit 3), not failed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psutil

SATURATION_PERCENT = 90.0
WINDOW_S = 5


@dataclass(frozen=True)
class ProcessCpu:
    """CPU figures of one generator process (``role``: ``local``, ``master``, ``worker-1`` …)."""

    role: str
    samples: tuple[float, ...]

    @property
    def mean(self) -> float:
        return sum(self.samples) / len(self.samples) if self.samples else 0.0

    @property
    def window_max(self) -> float:
        """Highest mean over any :data:`WINDOW_S` consecutive samples (all, when fewer)."""
        values = self.samples
        if not values:
            return 0.0
        width = min(WINDOW_S, len(values))
        return max(sum(values[i : i + width]) / width for i in range(len(values) - width + 1))


@dataclass(frozen=True)
class GeneratorHealth:
    processes: tuple[ProcessCpu, ...] = ()
    reported_warning: bool = False  # Locust's own "exceeded cpu threshold"

    @property
    def cpu_percent_max(self) -> float:
        return max((p.window_max for p in self.processes), default=0.0)

    @property
    def cpu_percent_mean(self) -> float:
        values = [v for p in self.processes for v in p.samples]
        return sum(values) / len(values) if values else 0.0

    @property
    def saturated(self) -> bool:
        return self.reported_warning or self.cpu_percent_max >= SATURATION_PERCENT

    def to_dict(self) -> dict[str, Any]:
        return {
            "cpu_percent_max": round(self.cpu_percent_max, 1),
            "cpu_percent_mean": round(self.cpu_percent_mean, 1),
            "saturated": self.saturated,
            "saturation_percent": SATURATION_PERCENT,
            "window_s": WINDOW_S,
            "locust_cpu_warning": self.reported_warning,
            "processes": [
                {
                    "role": p.role,
                    "cpu_percent_max": round(p.window_max, 1),
                    "cpu_percent_mean": round(p.mean, 1),
                    "samples": [round(v, 1) for v in p.samples],
                }
                for p in self.processes
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GeneratorHealth:
        """Back from :meth:`to_dict` (``run.json`` → ``generator``)."""
        processes = tuple(
            ProcessCpu(str(p["role"]), tuple(float(v) for v in p.get("samples", [])))
            for p in data.get("processes", [])
        )
        return cls(processes, bool(data.get("locust_cpu_warning", False)))

    @classmethod
    def from_samples(
        cls, samples: Mapping[str, Sequence[float]], reported_warning: bool = False
    ) -> GeneratorHealth:
        """Health from per-role CPU samples (percent of one core, one a second)."""
        return cls(
            tuple(ProcessCpu(role, tuple(values)) for role, values in sorted(samples.items())),
            reported_warning,
        )


class CpuSampler:
    """Samples the CPU of a set of processes (children included) each time it is called."""

    def __init__(self, processes: Mapping[str, int]) -> None:
        self._procs: dict[str, psutil.Process] = {}
        self.samples: dict[str, list[float]] = {}
        for role, pid in processes.items():
            self.add(role, pid)

    def add(self, role: str, pid: int) -> None:
        try:
            proc = psutil.Process(pid)
            proc.cpu_percent(None)  # prime: the first reading is always 0
        except psutil.Error:
            return
        self._procs[role] = proc
        self.samples.setdefault(role, [])

    def sample(self) -> dict[str, float]:
        """One reading per live process (percent since the previous reading)."""
        now: dict[str, float] = {}
        for role, proc in list(self._procs.items()):
            try:
                value = proc.cpu_percent(None)
            except psutil.Error:
                del self._procs[role]
                continue
            self.samples[role].append(value)
            now[role] = value
        return now

    def health(self, reported_warning: bool = False) -> GeneratorHealth:
        return GeneratorHealth.from_samples(self.samples, reported_warning)


def roles(workers: int) -> Iterable[str]:
    """Role names of a run's Locust processes."""
    if workers <= 0:
        yield "local"
        return
    yield "master"
    for i in range(1, workers + 1):
        yield f"worker-{i}"
