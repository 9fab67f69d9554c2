"""Benchmark: Request Tracker 5 and the reference system side by side, and what adapters cost.

    python tests/benchmarks/bench_adapters.py [--users 10] [--duration 60] [--rt URL] [--rt-db URL]
        [--rt-mysql URL] [--rt-mysql-db URL]
    python tests/benchmarks/bench_adapters.py --tracker-only [--samples 200000]
    python tests/benchmarks/bench_adapters.py --tracker-only --before OLD_STAGES_PY

1. Stage tracking: the cost of one ``StageTracker.record`` (what every stage sample pays), for
   the reference system's stage list and for an adapter's. ``--before FILE`` loads the
   ``stages.py`` of a driftline before adapters (e.g. ``git show 930b523:src/driftline/stress/
   stages.py``) and times both in this process, alternating rounds, best of each.
2. The same users and duration against the reference system (started on embedded SQLite) and
   against RT (``--rt``, default http://127.0.0.1:8093 with ``.ci/install-rt``'s load user;
   credentials from DRIFTLINE_TARGET_USER / DRIFTLINE_TARGET_PASSWORD) and the same RT on MariaDB
   (``--rt-mysql``, default http://127.0.0.1:8094; ``--rt-mysql ''`` leaves it out): tickets/s,
   each stage's p50/p95, and the generator's CPU.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from typing import Any

from driftline.stress.stages import STAGE_ORDER, StageTracker


def _one_round(make: Any, samples: int, stages: tuple[str, ...]) -> float:
    """µs per ``record`` call of a fresh tracker, ``samples`` calls (a ticket each)."""
    tracker = make()
    names = [stages[i % len(stages)] for i in range(samples)]
    record = tracker.record
    start = time.perf_counter()
    for i, stage in enumerate(names):
        record(stage, i, 12.5, True)
    return (time.perf_counter() - start) / samples * 1e6


def tracker_cost(samples: int, stage_order: tuple[str, ...] | None, rounds: int = 7) -> float:
    """Median µs per ``record`` call over ``rounds`` rounds of ``samples`` calls."""
    stages = stage_order or STAGE_ORDER

    def make() -> StageTracker:
        if stage_order is None:
            return StageTracker(epoch=0.0)
        return StageTracker(epoch=0.0, stage_order=stage_order)

    return statistics.median(_one_round(make, samples, stages) for _ in range(rounds))


def before_and_after(before: str, samples: int, rounds: int = 15) -> tuple[float, float]:
    """Best µs per sample of the old ``stages.py`` (a file) and of this one, alternating."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("stages_before", before)
    assert spec is not None and spec.loader is not None
    old = importlib.util.module_from_spec(spec)
    sys.modules["stages_before"] = old  # dataclasses look their module up
    spec.loader.exec_module(old)
    old_times, new_times = [], []
    for _ in range(rounds):
        old_times.append(_one_round(lambda: old.StageTracker(epoch=0.0), samples, STAGE_ORDER))
        new_times.append(_one_round(lambda: StageTracker(epoch=0.0), samples, STAGE_ORDER))
    return min(old_times), min(new_times)


def run_one(label: str, **options: Any) -> dict[str, Any]:
    from driftline.stress.runner import StressOptions, run_stress

    with tempfile.TemporaryDirectory(prefix=f"bench-{label}-") as out:
        result = run_stress(StressOptions(out=out, **options))
        doc = result.document
    stages = {
        name: (fig.get("p50_ms"), fig.get("p95_ms"), fig.get("count"))
        for name, fig in doc["stages"].items()
    }
    return {
        "label": label,
        "tickets_per_s": doc["throughput"]["tickets_per_s"],
        "tickets": doc["throughput"]["tickets"],
        "cpu_max": doc["generator"]["cpu_percent_max"],
        "cpu_mean": doc["generator"]["cpu_percent_mean"],
        "stages": stages,
        "stage_order": list(doc.get("stage_order") or STAGE_ORDER),
        "not_observed": doc.get("not_observed") or {},
        "verdict": doc["verdict"],
        "reconciled": f"{doc['reconcile']['accounted']}/{doc['reconcile']['created']}",
    }


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def merged_order(orders: list[list[str]]) -> list[str]:
    """Every stage of every system once, each after the stages it follows in its own system."""
    merged: list[str] = []
    for order in orders:
        for i, name in enumerate(order):
            if name not in merged:
                after = [merged.index(p) + 1 for p in order[:i] if p in merged]
                merged.insert(max(after, default=0), name)
    return merged


def print_side_by_side(rows: list[dict[str, Any]]) -> None:
    order = merged_order([r["stage_order"] for r in rows])
    print(f"{'':>10} " + "  ".join(f"{r['label']:>22}" for r in rows))
    for key, label in (
        ("tickets_per_s", "tickets/s"),
        ("tickets", "tickets"),
        ("reconciled", "reconciled"),
        ("verdict", "verdict"),
    ):
        print(f"{label:>10} " + "  ".join(f"{r[key]!s:>22}" for r in rows))
    print(
        f"{'gen CPU':>10} "
        + "  ".join(f"{r['cpu_max']:>8.1f} % max {r['cpu_mean']:>4.1f} mean" for r in rows)
    )
    for stage in order:
        cells = []
        for r in rows:
            if stage in r["not_observed"]:
                cells.append(f"{'not observed':>22}")
                continue
            p50, p95, n = r["stages"].get(stage, (None, None, 0))
            cells.append(f"{_ms(p50):>7}/{_ms(p95):>7} ms n={n:<3}")
        print(f"{stage:>10} " + "  ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--rt", default="http://127.0.0.1:8093")
    parser.add_argument("--rt-db", default="postgresql://postgres@127.0.0.1/driftline_rt")
    parser.add_argument("--rt-mysql", default="http://127.0.0.1:8094")
    parser.add_argument("--rt-mysql-db", default="mysql://root@127.0.0.1:3306/driftline_rt_mysql")
    parser.add_argument("--samples", type=int, default=200_000)
    parser.add_argument("--tracker-only", action="store_true")
    parser.add_argument("--before", help="stages.py of a driftline before adapters")
    args = parser.parse_args()

    if args.before:
        old, new = before_and_after(args.before, args.samples)
        print(
            f"stage tracking before adapters {old:.3f} µs, now {new:.3f} µs per sample "
            f"({100 * (new / old - 1):+.1f} %, best of 15 alternating rounds)"
        )

    base = tracker_cost(args.samples, None)
    print(f"stage tracking, reference stages: {base:.3f} µs per sample")
    if args.tracker_only:
        return
    from driftline.systems import load_system

    rt = load_system("rt")
    adapter = tracker_cost(args.samples, rt.stage_names)
    print(
        f"stage tracking, rt adapter stages: {adapter:.3f} µs per sample "
        f"({100 * (adapter / base - 1):+.1f} %)"
    )
    os.environ.setdefault("DRIFTLINE_TARGET_USER", "driftline")
    os.environ.setdefault(
        "DRIFTLINE_TARGET_PASSWORD", os.environ.get("DRIFTLINE_RT_PASSWORD", "driftline-rt-local")
    )
    common = {"users": args.users, "duration_s": args.duration}
    rows = [
        run_one("refsys (SQLite)", **common),
        run_one("RT 5 (PostgreSQL)", system="rt", target=args.rt, db=args.rt_db, **common),
    ]
    if args.rt_mysql:
        db = args.rt_mysql_db
        rows.append(run_one("RT 5 (MariaDB)", system="rt", target=args.rt_mysql, db=db, **common))
    print_side_by_side(rows)


if __name__ == "__main__":
    main()
