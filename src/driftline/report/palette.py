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
