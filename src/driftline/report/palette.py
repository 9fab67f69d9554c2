"""Colour scales shared by the HTML and terminal renderers (hex strings, no drawing here)."""

from __future__ import annotations

import itertools
import math

# Deadline scale: calm teal well inside the deadline, amber near it, deep red beyond it.
_RATIO_STOPS = (
    (0.0, (0x1F, 0x9E, 0x89)),
    (0.5, (0x8F, 0xC9, 0x6B)),
    (0.8, (0xF2, 0xC1, 0x4E)),
    (1.0, (0xF0, 0x8A, 0x3C)),
    (1.5, (0xD6, 0x40, 0x3A)),
    (3.0, (0x7A, 0x10, 0x2A)),
)
# Count scale: pale to deep indigo (reads on white and in a dark terminal).
_COUNT_STOPS = (
    (0.0, (0xEE, 0xF1, 0xFB)),
    (0.25, (0xB3, 0xC6, 0xF2)),
    (0.5, (0x6F, 0x8F, 0xE0)),
    (0.75, (0x45, 0x4F, 0xB8)),
    (1.0, (0x2A, 0x12, 0x6E)),
)
# Failure scale: a cell where most samples failed (missed the deadline or erred), in its own hue
# and darker than any merely slow cell, so "failed" never reads as "a bit slow". 100 % is the
# darkest colour of the report.
_FAILED_STOPS = (
    (0.5, (0xB8, 0x3C, 0xC9)),
    (0.75, (0x6E, 0x1A, 0x8A)),
    (1.0, (0x24, 0x06, 0x33)),
)
#: From this failed share on, a cell takes the failure colour instead of its latency's.
FAILING = 0.5
# Relative scale: p95 against the stage's usual p95 (1× pale, ≥ 5× deep).
_RELATIVE_STOPS = (
    (1.0, (0xF3, 0xF4, 0xF6)),
    (1.5, (0xFD, 0xE6, 0x8A)),
    (2.0, (0xF5, 0xB0, 0x4C)),
    (3.0, (0xE0, 0x6A, 0x2B)),
    (5.0, (0xA3, 0x2B, 0x1C)),
)
EMPTY = "#f3f4f6"


def _blend(stops: tuple[tuple[float, tuple[int, int, int]], ...], x: float) -> str:
    if x <= stops[0][0]:
        rgb = stops[0][1]
    elif x >= stops[-1][0]:
        rgb = stops[-1][1]
    else:
        for (x0, c0), (x1, c1) in itertools.pairwise(stops):
            if x0 <= x <= x1:
                f = (x - x0) / (x1 - x0)
                rgb = tuple(round(a + (b - a) * f) for a, b in zip(c0, c1, strict=True))
                break
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def ratio_colour(ratio: float | None) -> str:
    """Colour of a p95 / deadline ratio."""
    return EMPTY if ratio is None else _blend(_RATIO_STOPS, ratio)


def failed_colour(failed_rate: float) -> str:
    """Colour of a cell where ``failed_rate`` (≥ :data:`FAILING`) of the samples failed."""
    return _blend(_FAILED_STOPS, failed_rate)


def cell_colour(ratio: float | None, failed_rate: float | None) -> str:
    """A stage × time cell: the failure colour when most samples failed, else its p95 ratio's."""
    if failed_rate is not None and failed_rate >= FAILING:
        return failed_colour(failed_rate)
    return ratio_colour(ratio)


def relative_colour(times_median: float | None) -> str:
    """Colour of a p95 measured against the stage's usual p95 (1× = as usual)."""
    return EMPTY if times_median is None else _blend(_RELATIVE_STOPS, times_median)


def count_level(value: float | None, top: float, levels: int = 8) -> int:
    """0 for no data, else 1..levels on a log scale against ``top``."""
    if not value or top <= 0:
        return 0
    f = math.log1p(value) / math.log1p(top)
    return max(1, min(levels, math.ceil(f * levels)))


def count_colour(level: int, levels: int = 8) -> str:
    return EMPTY if level == 0 else _blend(_COUNT_STOPS, level / levels)


def text_on(hex_colour: str) -> str:
    """Black or white, whichever reads better on ``hex_colour``."""
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#111827" if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "#ffffff"
