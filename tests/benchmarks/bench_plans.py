"""Benchmark: capture + check of 100 queries on PostgreSQL (issue 4 asks for <= 3 s).

    python tests/benchmarks/bench_plans.py [--tickets 100000] [--server postgresql://...]

Seeds a scratch reference system, writes a queries file of 100 queries (the five hot queries,
twenty parameter variants each, as separate named queries), then times ``capture`` (baseline)
and ``check`` (capture again + compare) through the library, as the CLI runs them.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import yaml

from driftline.db import make_engine
from driftline.plans.capture import capture
from driftline.plans.check import check
from driftline.plans.queries import load_queries
from driftline.scratch import DEFAULT_SERVERS, scratch_database

HOT = Path(__file__).parents[2] / "reference_system" / "hot_queries.yaml"


def hundred_queries(target: Path) -> Path:
    data = yaml.safe_load(HOT.read_text())
    queries = []
    for i in range(20):
        for q in data["queries"]:
            copy = dict(q, name=f"{q['name']}_{i:02d}")
            params = dict(copy["params"][0])
            for key, value in params.items():
                if isinstance(value, int) and not isinstance(value, bool):
                    params[key] = value + i
            copy["params"] = [params]
            queries.append(copy)
    target.write_text(yaml.safe_dump(dict(data, queries=queries), sort_keys=False))
    return target


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--server", default=DEFAULT_SERVERS["postgresql"])
    args = parser.parse_args()
    from reference_system.bootstrap import init_database
    from reference_system.config import load_config
    from reference_system.routing import load_routing
    from reference_system.seed import seed

    with (
        scratch_database(args.server, prefix="dl_bench") as url,
        tempfile.TemporaryDirectory() as d,
    ):
        engine = make_engine(url)
        cfg = load_config(None)
        init_database(engine, cfg)
        seeded = seed(engine, load_routing(cfg.routing_file), args.tickets)
        engine.dispose()
        print(f"seeded {seeded.tickets:,} tickets / {seeded.status_rows:,} status rows")
        qfile = hundred_queries(Path(d) / "queries.yaml")
        queries = load_queries(qfile)
        baseline = Path(d) / "plans.yaml"
        started = time.perf_counter()
        capture(url, queries).save(baseline)
        t_capture = time.perf_counter() - started
        started = time.perf_counter()
        result = check(url, baseline, ci=True)
        t_check = time.perf_counter() - started
        print(f"queries: {len(queries.queries)}  findings: {len(result.findings)}")
        print(
            f"capture: {t_capture:.2f} s   check: {t_check:.2f} s   "
            f"capture + check: {t_capture + t_check:.2f} s (target <= 3 s)"
        )


if __name__ == "__main__":
    main()
