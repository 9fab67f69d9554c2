"""Plan-check figures on real servers.

    python tests/benchmarks/bench_plans.py hundred [--tickets 100000 | --db URL] [--runs 5]
    python tests/benchmarks/bench_plans.py committed URL [URL ...]
    python tests/benchmarks/bench_plans.py pgss [--tickets 100000] [--statements 2000] [--top 20]

``hundred``: seeds a scratch reference system (or uses ``--db``), writes a queries file of 100
queries (the five hot queries, twenty parameter variants each, as separate named queries), then
times ``capture`` (baseline) and ``check`` (capture again + compare) through the library, as the
CLI runs them: once estimated, once with ``--analyze --runs N``.

``committed``: ``plan check --ci`` of the committed reference baseline of each URL's dialect
against that (healthy, seeded) database; prints findings by severity and the exit code the CLI
would give. Seed the databases with ``driftline refsys seed -n N --days 90 --seed 1``.

``pgss``: a private cluster preloading pg_stat_statements (the shared server is never
reconfigured), a seeded reference system, a workload of ``--statements`` hot-query executions
with varying parameters; then times ``plan capture --from-pg-stat-statements --top N`` and a
``plan check`` against that capture.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from pathlib import Path

import yaml

from driftline.db import make_engine
from driftline.findings import Severity
from driftline.plans.capture import capture
from driftline.plans.check import check
from driftline.plans.queries import load_queries
from driftline.scratch import DEFAULT_SERVERS, scratch_database

ROOT = Path(__file__).parents[2]
HOT = ROOT / "reference_system" / "hot_queries.yaml"
BASELINES = {"postgresql": "postgresql", "sqlite": "sqlite", "mysql": "mariadb"}


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


def seed_into(url: str, tickets: int) -> None:
    from reference_system.bootstrap import init_database
    from reference_system.config import load_config
    from reference_system.routing import load_routing
    from reference_system.seed import seed

    engine = make_engine(url)
    cfg = load_config(None)
    init_database(engine, cfg)
    seeded = seed(engine, load_routing(cfg.routing_file), tickets)
    engine.dispose()
    print(f"seeded {seeded.tickets:,} tickets / {seeded.status_rows:,} status rows")


def time_hundred(url: str, runs: int) -> None:
    with tempfile.TemporaryDirectory() as d:
        queries = load_queries(hundred_queries(Path(d) / "queries.yaml"))
        for analyze in (False, True):
            baseline = Path(d) / f"plans-{analyze}.yaml"
            started = time.perf_counter()
            capture(url, queries, analyze=analyze, runs=runs).save(baseline)
            t_capture = time.perf_counter() - started
            started = time.perf_counter()
            result = check(url, baseline, ci=True, analyze=analyze, runs=runs)
            t_check = time.perf_counter() - started
            errors = sum(f.severity is Severity.ERROR for f in result.findings)
            how = f"--analyze --runs {runs}" if analyze else "estimated"
            print(
                f"{how:>20}: {len(queries.queries)} queries  capture {t_capture:.2f} s  "
                f"check {t_check:.2f} s  total {t_capture + t_check:.2f} s  "
                f"findings {len(result.findings)} (errors {errors})"
            )


def committed(urls: list[str]) -> int:
    worst = 0
    for url in urls:
        from driftline.db import dialect_of, parse_url

        name = BASELINES[dialect_of(parse_url(url))]
        baseline = ROOT / "baselines" / "plans" / f"refsys-{name}.yaml"
        with tempfile.TemporaryDirectory() as d:
            copy = Path(d) / baseline.name
            copy.write_text(baseline.read_text())
            started = time.perf_counter()
            result = check(url, copy, ci=True)
            took = time.perf_counter() - started
        counts = Counter(f.severity.label for f in result.findings)
        code = 1 if counts["error"] else 0
        worst = max(worst, code)
        detail = "; ".join(f"{f.severity.label} {f.kind}" for f in result.findings) or "none"
        print(f"{url} vs {baseline.name}: exit {code} in {took:.2f} s; findings: {detail}")
    return worst


def pgss_figures(tickets: int, statements: int, top: int) -> None:
    import random

    import sqlalchemy as sa

    from driftline.pgcluster import PgCluster
    from driftline.plans.pgss import capture_top
    from driftline.plans.queries import resolve_params

    settings = {"shared_preload_libraries": "pg_stat_statements", "shared_buffers": "256MB"}
    with PgCluster(settings=settings) as cluster, tempfile.TemporaryDirectory() as d:
        url = cluster.url()
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE EXTENSION pg_stat_statements")
        seed_into(url, tickets)
        hot = load_queries(HOT).queries
        rng = random.Random(7)
        started = time.perf_counter()
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT pg_stat_statements_reset()")
            for _ in range(statements):
                query = rng.choice(hot)
                params = resolve_params(query.params[0])
                for key, value in params.items():
                    if isinstance(value, int) and key != "batch":
                        params[key] = rng.randrange(1, 50_000)
                conn.execute(sa.text(query.sql_for("postgresql")), params).all()
            conn.rollback()
        workload = time.perf_counter() - started
        engine.dispose()
        print(f"workload: {statements:,} statements in {workload:.1f} s")
        started = time.perf_counter()
        captured = capture_top(url, top=top)
        took = time.perf_counter() - started
        path = captured.save(Path(d) / "pgss.yaml")
        skipped = captured.metadata.get("skipped") or {}
        print(
            f"capture --from-pg-stat-statements --top {top}: {len(captured.queries)} generic "
            f"plans ({len(skipped)} skipped) in {took:.2f} s"
        )
        started = time.perf_counter()
        result = check(url, path, ci=True)
        print(
            f"check against it: {time.perf_counter() - started:.2f} s, "
            f"findings {len(result.findings)}"
        )


def main() -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="mode", required=True)
    h = sub.add_parser("hundred")
    h.add_argument("--tickets", type=int, default=100_000)
    h.add_argument("--db", help="an already seeded reference database")
    h.add_argument("--server", default=DEFAULT_SERVERS["postgresql"])
    h.add_argument("--runs", type=int, default=5)
    c = sub.add_parser("committed")
    c.add_argument("urls", nargs="+")
    s = sub.add_parser("pgss")
    s.add_argument("--tickets", type=int, default=100_000)
    s.add_argument("--statements", type=int, default=2_000)
    s.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    if args.mode == "committed":
        return committed(args.urls)
    if args.mode == "pgss":
        pgss_figures(args.tickets, args.statements, args.top)
        return 0
    if args.db:
        time_hundred(args.db, args.runs)
        return 0
    with scratch_database(args.server, prefix="dl_bench") as url:
        seed_into(url, args.tickets)
        time_hundred(url, args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
