"""Time-sliced, mergeable latency histograms with logarithmic buckets.

Bucket ``0`` holds latencies below 1 ms; bucket ``i >= 1`` holds ``[2**((i-1)/4), 2**(i/4))`` ms,
so each bucket is ~19 % wide and a quantile read from a bucket is within ~9 % of the true value.
Buckets run to 2**20 ms (~17 min); anything longer lands in the last bucket. Counts are plain
integers, so histograms from many workers merge by addition (Locust workers → master) and
serialise to compact, sparse JSON for the run directory that ``driftline report`` reads.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

BUCKETS_PER_OCTAVE = 4
OCTAVES = 20
BUCKET_COUNT = 1 + BUCKETS_PER_OCTAVE * OCTAVES


def bucket_of(latency_ms: float) -> int:
    """Index of the bucket holding ``latency_ms``."""
    if latency_ms < 1.0:
        return 0
    index = math.floor(math.log2(latency_ms) * BUCKETS_PER_OCTAVE) + 1
    return min(index, BUCKET_COUNT - 1)


def bucket_bounds(index: int) -> tuple[float, float]:
    """``(low, high)`` in ms of bucket ``index``."""
    if index == 0:
        return 0.0, 1.0
    return 2 ** ((index - 1) / BUCKETS_PER_OCTAVE), 2 ** (index / BUCKETS_PER_OCTAVE)


def bucket_value(index: int) -> float:
    """Representative latency of a bucket: its geometric midpoint (0.5 ms for bucket 0)."""
    if index == 0:
        return 0.5
    low, high = bucket_bounds(index)
    return math.sqrt(low * high)


@dataclass
class Histogram:
    """Counts per bucket (sparse), plus count, errors, sum and max for exact mean and max."""

    counts: dict[int, int] = field(default_factory=dict)
    count: int = 0
    errors: int = 0
    total_ms: float = 0.0
    max_ms: float = 0.0

    def record(self, latency_ms: float, ok: bool = True) -> None:
        b = bucket_of(latency_ms)
        self.counts[b] = self.counts.get(b, 0) + 1
        self.count += 1
        self.total_ms += latency_ms
        if latency_ms > self.max_ms:
            self.max_ms = latency_ms
        if not ok:
            self.errors += 1

    def merge(self, other: Histogram) -> Histogram:
        for b, n in other.counts.items():
            self.counts[b] = self.counts.get(b, 0) + n
        self.count += other.count
        self.errors += other.errors
        self.total_ms += other.total_ms
        self.max_ms = max(self.max_ms, other.max_ms)
        return self

    def quantile(self, q: float) -> float | None:
        """Latency at quantile ``q`` (0..1), or None when empty; never above the true max."""
        if self.count == 0:
            return None
        rank = max(1, math.ceil(q * self.count))
        seen = 0
        for b in sorted(self.counts):
            seen += self.counts[b]
            if seen >= rank:
                return min(bucket_value(b), self.max_ms)
        return self.max_ms

    @property
    def mean_ms(self) -> float | None:
        return self.total_ms / self.count if self.count else None

    @property
    def error_rate(self) -> float:
        return self.errors / self.count if self.count else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.count,
            "errors": self.errors,
            "sum_ms": round(self.total_ms, 3),
            "max_ms": round(self.max_ms, 3),
            "buckets": {str(b): self.counts[b] for b in sorted(self.counts)},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Histogram:
        return cls(
            counts={int(b): int(n) for b, n in data.get("buckets", {}).items()},
            count=int(data.get("n", 0)),
            errors=int(data.get("errors", 0)),
            total_ms=float(data.get("sum_ms", 0.0)),
            max_ms=float(data.get("max_ms", 0.0)),
        )


@dataclass
class SlicedHistogram:
    """One stage's histograms per time slice of ``slice_s`` seconds since the run's start."""

    slice_s: float = 5.0
    slices: dict[int, Histogram] = field(default_factory=dict)

    def record(self, offset_s: float, latency_ms: float, ok: bool = True) -> None:
        index = max(0, int(offset_s // self.slice_s))
        hist = self.slices.get(index)
        if hist is None:
            hist = self.slices[index] = Histogram()
        hist.record(latency_ms, ok)

    def merge(self, other: SlicedHistogram) -> SlicedHistogram:
        if other.slice_s != self.slice_s:
            raise ValueError(f"cannot merge slices of {other.slice_s}s into {self.slice_s}s")
        for index, hist in other.slices.items():
            self.slices.setdefault(index, Histogram()).merge(hist)
        return self

    def total(self) -> Histogram:
        result = Histogram()
        for hist in self.slices.values():
            result.merge(hist)
        return result

    def __iter__(self) -> Iterator[tuple[int, Histogram]]:
        return iter(sorted(self.slices.items()))

    def to_dict(self) -> dict[str, Any]:
        return {
            "slice_s": self.slice_s,
            "slices": {str(i): h.to_dict() for i, h in sorted(self.slices.items())},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SlicedHistogram:
        return cls(
            slice_s=float(data.get("slice_s", 5.0)),
            slices={int(i): Histogram.from_dict(h) for i, h in data.get("slices", {}).items()},
        )


@dataclass
class StageHistograms:
    """Every stage's sliced histogram for one run (or one worker of it)."""

    slice_s: float = 5.0
    stages: dict[str, SlicedHistogram] = field(default_factory=dict)

    def record(self, stage: str, offset_s: float, latency_ms: float, ok: bool = True) -> None:
        sliced = self.stages.get(stage)
        if sliced is None:
            sliced = self.stages[stage] = SlicedHistogram(self.slice_s)
        sliced.record(offset_s, latency_ms, ok)

    def merge(self, other: StageHistograms) -> StageHistograms:
        for stage, sliced in other.stages.items():
            self.stages.setdefault(stage, SlicedHistogram(self.slice_s)).merge(sliced)
        return self

    def to_dict(self) -> dict[str, Any]:
        return {
            "driftline": 1,
            "kind": "stage-histograms",
            "slice_s": self.slice_s,
            "bucket_scheme": {"per_octave": BUCKETS_PER_OCTAVE, "octaves": OCTAVES, "unit": "ms"},
            "stages": {s: h.to_dict()["slices"] for s, h in sorted(self.stages.items())},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StageHistograms:
        slice_s = float(data.get("slice_s", 5.0))
        stages = {
            name: SlicedHistogram.from_dict({"slice_s": slice_s, "slices": slices})
            for name, slices in data.get("stages", {}).items()
        }
        return cls(slice_s=slice_s, stages=stages)


def merge_all(parts: Iterable[StageHistograms], slice_s: float = 5.0) -> StageHistograms:
    result = StageHistograms(slice_s=slice_s)
    for part in parts:
        result.merge(part)
    return result
