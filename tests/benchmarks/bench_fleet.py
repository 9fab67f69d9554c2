"""A fleet of PostgreSQL databases checked concurrently vs one after another, as whole processes.

    python tests/benchmarks/bench_fleet.py [--databases 100] [--tables 50] [--rounds 1] [--keep]

Builds a template database (``--tables`` tables, each with a primary key and 3 secondary
indexes), its baseline, and ``--databases`` copies of it (the last one lacking one index), unless
a complete set from an earlier ``--keep`` run is there. Then, in turns:

- ``driftline schema check --inventory fleet.yaml``: every database in one process, concurrently;
- the same checks as a CI loop runs them: one ``driftline schema check --db … --baseline …``
  process per database, one after another.

It prints both wall times and the ratio, and checks the drifted database was found. The databases
are dropped at the end unless ``--keep`` is given.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_schema import build, is_complete, mark_complete, url_of
from wholeprocess import Case, byte_compile, load, run_once

from driftline.db import make_engine
from driftline.scratch import DEFAULT_SERVERS, drop_database

SERVER = DEFAULT_SERVERS["postgresql"]


def names(count: int) -> list[str]:
    return [f"bench_fleet_{i:03d}" for i in range(count)]


def build_fleet(count: int, tables: int) -> str:
    template = "bench_fleet_template"
    fleet = names(count)
    if is_complete(template) and all(is_complete(n) for n in fleet):
        return template
    started = time.perf_counter()
    build(template, tables)
    admin = make_engine(SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in fleet:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    admin.dispose()
    drifted = make_engine(url_of(fleet[-1]))
    with drifted.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_t1_a")
    drifted.dispose()
    for name in fleet:
        mark_complete(name)
    print(f"built {count} databases in {time.perf_counter() - started:.0f} s", flush=True)
    return template


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", type=int, default=100)
    parser.add_argument("--tables", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the databases for a rerun")
    args = parser.parse_args()
    byte_compile()
    fleet = names(args.databases)
    driftline = [sys.executable, "-m", "driftline"]
    try:
        template = build_fleet(args.databases, args.tables)
        with tempfile.TemporaryDirectory(prefix="bench_fleet_") as tmp:
            baseline = Path(tmp) / "baseline.yaml"
            subprocess.run([*driftline, "schema", "snapshot", "--db", url_of(template),
                            "-o", str(baseline)], check=True, capture_output=True)  # fmt: skip
            inventory = Path(tmp) / "fleet.yaml"
            lines = ["driftline: 1", "kind: inventory", f"baseline: {baseline}", "databases:"]
            lines += [f"  - {{name: {n}, url: '{url_of(n)}'}}" for n in fleet]
            inventory.write_text("\n".join(lines) + "\n")
            check = [*driftline, "schema", "check", "--fail-on", "warning"]
            # exit 1: the drifted database must be found
            concurrent = Case([*check, "--inventory", str(inventory)], ok=frozenset({1}))
            checks = [
                Case(
                    [*check, "--db", url_of(n), "--baseline", str(baseline)],
                    ok=frozenset({1} if n == fleet[-1] else {0}),
                )
                for n in fleet
            ]
            print(load(), flush=True)
            together, apart = [], []
            for _ in range(args.rounds):
                together.append(run_once(concurrent))
                start = time.perf_counter()
                peak = max(run_once(c)[1] for c in checks)
                apart.append((time.perf_counter() - start, peak))
            best_together, best_apart = min(together), min(apart)
            print(f"{args.databases} databases of {args.tables} tables:")
            print(f"  concurrently, one process (--inventory): {best_together[0]:7.2f} s, "
                  f"peak {best_together[1]:.0f} MB")  # fmt: skip
            print(f"  one process per database, in sequence:   {best_apart[0]:7.2f} s, "
                  f"peak {best_apart[1]:.0f} MB each")  # fmt: skip
            print(f"  ratio: {best_apart[0] / best_together[0]:.1f}x")
            print(load())
    finally:
        if not args.keep:
            for name in [*fleet, "bench_fleet_template"]:
                drop_database(SERVER, name)


if __name__ == "__main__":
    main()
