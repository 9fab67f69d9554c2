"""Whether a changed plan is worse: the evidence behind a plan finding's severity.

A plan that merely looks different is not a regression: a full scan can be faster than the index
scan it replaced. A change is judged, in this order, by

1. **measured time** — both captures ran the query (``--analyze``; the median of ``--runs``
   executions each): the new plan is *worse* when its median is at least ``SLOWER_FACTOR`` times
   the baseline's and at least ``SLOWER_FLOOR_MS`` more, else it is *no worse*;
2. **estimated cost** — only when the estimates are comparable: same dialect and server major
   version, every table the plans read within ``STATS_FACTOR`` of its baseline row count, the same
   planner cost settings, and at least one table of real size (critical, or ``min_rows`` rows):
   the new plan is *worse* when its total cost grew more than ``COST_FACTOR`` times beyond the
   growth of the biggest table it reads (a plan that costs twice as much on twice the rows is the
   same plan on more data);
3. otherwise the verdict is *unknown*: a suspicious change stays a warning, never an error.

A lost index the baseline used and a failed expectation are errors on their own (see
:mod:`driftline.plans.diff`); this module only weighs plans.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from driftline.plans.model import Plan

#: Measured: at least this many times slower ...
SLOWER_FACTOR = 1.5
#: ... and at least this many milliseconds slower (timer noise and caching dominate below).
SLOWER_FLOOR_MS = 1.0
#: Estimated: the new plan's total cost above this many times the baseline's.
COST_FACTOR = 2.0
#: Row counts of every table read within this factor, or the estimates are not comparable.
STATS_FACTOR = 2.0


class Verdict(enum.StrEnum):
    WORSE = "worse"
    NO_WORSE = "no_worse"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Evidence:
    verdict: Verdict
    reason: str
    #: "time" (measured) or "cost" (estimated); empty when unknown.
    basis: str = ""

    @property
    def worse(self) -> bool:
        return self.verdict is Verdict.WORSE

    @property
    def no_worse(self) -> bool:
        return self.verdict is Verdict.NO_WORSE


@dataclass(frozen=True)
class Side:
    """What the evidence needs of one capture: version, planner settings and row counts."""

    dialect: str
    server_version: str
    settings: Mapping[str, str]
    rows: Mapping[str, float | None]


def measured(before: Plan, after: Plan) -> Evidence | None:
    """The timing verdict, or None when either side was not measured."""
    b, a = before.metrics.get("actual_ms"), after.metrics.get("actual_ms")
    if b is None or a is None:
        return None
    ratio = a / b if b > 0 else float("inf")
    text = f"measured {b:,.3f} ms → {a:,.3f} ms"
    if a >= SLOWER_FACTOR * b and a - b >= SLOWER_FLOOR_MS:
        return Evidence(Verdict.WORSE, f"{text} ({ratio:.1f}x slower)", "time")
    if a < b:
        return Evidence(Verdict.NO_WORSE, f"{text} (faster)", "time")
    within = f"within {SLOWER_FACTOR}x or {SLOWER_FLOOR_MS:g} ms"
    return Evidence(Verdict.NO_WORSE, f"{text} ({within})", "time")


def _major(version: str) -> str:
    return version.split(".")[0].split("-")[0]


def not_comparable(before: Side, after: Side, tables: Iterable[str]) -> str | None:
    """Why the two sides' estimates cannot be compared, or None when they can."""
    if before.dialect != after.dialect:
        return "different databases"
    if _major(before.server_version) != _major(after.server_version):
        return f"server {before.server_version} vs {after.server_version}"
    changed = sorted(
        name
        for name in set(before.settings) | set(after.settings)
        if before.settings.get(name) != after.settings.get(name)
    )
    if changed:
        pairs = ", ".join(
            f"{n} {before.settings.get(n, '?')} → {after.settings.get(n, '?')}" for n in changed
        )
        return f"planner cost settings differ ({pairs})"
    for table in sorted(tables):
        b, a = before.rows.get(table), after.rows.get(table)
        if b is None or a is None:
            return f"row count of {table} unknown"
        low, high = sorted((max(b, 1.0), max(a, 1.0)))
        if high / low > STATS_FACTOR:
            return f"{table} went from {int(b):,} to {int(a):,} rows"
    return None


def _growth(sides: tuple[Side, Side], tables: Iterable[str]) -> float:
    """How many times the biggest growth of any table read (at least 1)."""
    before, after = sides
    ratios = [
        max(after.rows.get(t) or 1.0, 1.0) / max(before.rows.get(t) or 1.0, 1.0) for t in tables
    ]
    return max([1.0, *ratios])


def estimated(
    before: Plan,
    after: Plan,
    sides: tuple[Side, Side],
    real_size: bool,
) -> Evidence:
    """The cost verdict: worse, or unknown (an estimate never proves a plan no worse)."""
    b, a = before.cost, after.cost
    if b is None or a is None:
        return Evidence(Verdict.UNKNOWN, "no cost estimates")
    if not real_size:
        return Evidence(Verdict.UNKNOWN, "no table of real size")
    why = not_comparable(*sides, before.tables() | after.tables())
    if why:
        return Evidence(Verdict.UNKNOWN, f"estimates not comparable: {why}")
    growth = _growth(sides, before.tables() | after.tables())
    if b > 0 and a > COST_FACTOR * growth * b:
        limit = f"{COST_FACTOR:g}x" if growth == 1.0 else f"{COST_FACTOR * growth:.1f}x"
        text = f"estimated cost {b:,.1f} → {a:,.1f} ({a / b:.1f}x, over {limit})"
        return Evidence(Verdict.WORSE, text, "cost")
    return Evidence(Verdict.UNKNOWN, f"estimated cost {b:,.1f} → {a:,.1f}")


def weigh(before: Plan, after: Plan, sides: tuple[Side, Side], real_size: bool) -> Evidence:
    """Measured time when both sides have it, else the estimates."""
    return measured(before, after) or estimated(before, after, sides, real_size)


def median_run(plans: list[Plan]) -> Plan:
    """The plan of the median run (by measured time), its time that median."""
    timed = sorted(plans, key=lambda p: p.metrics.get("actual_ms", 0.0))
    chosen = timed[(len(timed) - 1) // 2]
    if len(plans) > 1:
        chosen.metrics["runs"] = float(len(plans))
    return chosen


__all__ = [
    "COST_FACTOR",
    "SLOWER_FACTOR",
    "SLOWER_FLOOR_MS",
    "STATS_FACTOR",
    "Evidence",
    "Side",
    "Verdict",
    "estimated",
    "measured",
    "median_run",
    "not_comparable",
    "weigh",
]
