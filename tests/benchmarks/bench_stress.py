"""Figures for the stress test (not collected by pytest).

    python tests/benchmarks/bench_stress.py                 # both parts
    python tests/benchmarks/bench_stress.py --micro-only    # only the per-sample cost
    python tests/benchmarks/bench_stress.py --users 100 --duration 60 --workers 0

1. Per-sample cost of stage tracking: ``StageTracker.record`` on a worker, then shipping
   (``collect`` + ``json.dumps``, as with every Locust report) and merging on the master
   (``json.loads`` + ``absorb``), per sample.
2. 100 users for 60 s against the reference system on PostgreSQL (a scratch database, dropped
   afterwards): tickets/s, each stage's p50/p95/p99, generator CPU, verdict.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from driftline.scratch import DEFAULT_SERVERS, scratch_database
from driftline.stress.stages import STAGE_ORDER, StageTracker


def micro(samples: int = 200_000, per_report: int = 1_000) -> dict[str, float]:
    """µs per sample: record; collect + serialize; deserialize + absorb on the master."""
    worker = StageTracker(worker="w1")
    master = StageTracker(worker="master")
    stages = STAGE_ORDER
    record_s = ship_s = merge_s = 0.0
    payload_bytes = 0
    done = 0
    while done < samples:
        t0 = time.perf_counter()
        for i in range(done, done + per_report):
            worker.record(stages[i % 7], i // 7, 5.0 + (i % 997), True)
        t1 = time.perf_counter()
        wire = json.dumps(worker.collect())
        t2 = time.perf_counter()
        master.absorb(json.loads(wire))
        t3 = time.perf_counter()
        record_s += t1 - t0
        ship_s += t2 - t1
        merge_s += t3 - t2
        payload_bytes += len(wire)
        done += per_report
    per = 1e6 / samples
    return {
        "record_us": record_s * per,
        "collect_serialize_us": ship_s * per,
        "deserialize_absorb_us": merge_s * per,
        "total_us": (record_s + ship_s + merge_s) * per,
        "bytes_per_sample": payload_bytes / samples,
    }


def full_run(users: int, duration_s: float, workers: int, server: str) -> dict:
    from driftline.stress.runner import StressOptions, run_stress

    with scratch_database(server, prefix="dl_bench") as url, tempfile.TemporaryDirectory() as out:
        options = StressOptions(
            db=url,
            users=users,
            duration_s=duration_s,
            workers=workers,
            out=out,
            spawn_rate=max(1.0, users / 5),
        )
        started = time.monotonic()
        result = run_stress(options)
        wall = time.monotonic() - started
        doc = result.document
        return {
            "wall_s": round(wall, 1),
            "verdict": result.verdict,
            "throughput": doc["throughput"],
            "stages": {
                name: {k: fig[k] for k in ("count", "failed", "p50_ms", "p95_ms", "p99_ms")}
                for name, fig in doc["stages"].items()
            },
            "generator": {k: v for k, v in doc["generator"].items() if k != "processes"}
            | {
                "processes": [
                    {k: p[k] for k in ("role", "cpu_percent_max", "cpu_percent_mean")}
                    for p in doc["generator"]["processes"]
                ]
            },
            "locust": doc["locust"],
            "reconcile": {k: doc["reconcile"][k] for k in ("created", "accounted", "by_outcome")},
            "environment": doc["environment"],
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--server", default=DEFAULT_SERVERS["postgresql"])
    parser.add_argument("--micro-only", action="store_true")
    args = parser.parse_args(argv)
    figures = {"per_sample": {k: round(v, 3) for k, v in micro().items()}}
    print(json.dumps(figures, indent=2), flush=True)
    if not args.micro_only:
        run = full_run(args.users, args.duration, args.workers, args.server)
        print(json.dumps({"run": run}, indent=2))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
    sys.exit(main())
