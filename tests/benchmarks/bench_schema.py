"""Schema check and diff as whole processes, beside ``migra --unsafe``, on PostgreSQL.

    python tests/benchmarks/bench_schema.py [--tables 1000 --tables 10000] [--rounds 3]
        [--peer-rounds 1] [--keep]

For each size N it builds database A (N tables, each with a primary key and 3 secondary indexes)
and B, a copy of A lacking one index, unless a complete pair from an earlier ``--keep`` run is
there. Then, in turns, best of ``--rounds``:

- ``driftline schema check --db B --baseline A.yaml`` (the baseline snapshot of A, written once),
  with this run's derived caches (filled by one untimed run first) and with caches off
  (``DRIFTLINE_CACHE_DIR=``), as on a CI runner that keeps no cache between jobs;
- ``driftline schema diff --db A --db B``;
  both with ``--fail-on warning``, so exit 1 proves they found the missing index;
- ``migra --unsafe A B`` with ``postgresql+psycopg2://`` URLs (exit 2 = changes found; any other
  exit code stops the benchmark, so a peer that fails fast never looks fast).

It prints wall time, peak memory and the ratio to migra per size, and the catalog read (driftline's
inspector, in process) against the raw catalog queries alone. The databases are dropped at the end
unless ``--keep`` is given. Targets: 1,000 tables ≥ 3x migra for both commands; 10,000 tables
≤ 2 s and ≥ 12x migra in < 250 MB; the catalog read within 2x of its raw queries.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

import sqlalchemy as sa
from wholeprocess import Case, alternate, byte_compile, load, run_once, table

from driftline.db import make_engine
from driftline.scratch import DEFAULT_SERVERS, create_database, drop_database

SERVER = DEFAULT_SERVERS["postgresql"]
COMPLETE = "driftline benchmark database, complete"


def url_of(name: str, driver: str = "postgresql") -> str:
    url = sa.engine.make_url(SERVER).set(drivername=driver, database=name)
    return url.render_as_string(hide_password=False)


def is_complete(name: str) -> bool:
    engine = make_engine(SERVER)
    try:
        with engine.connect() as conn:
            comment = conn.exec_driver_sql(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                f"WHERE datname = '{name}'"
            ).scalar()
    finally:
        engine.dispose()
    return comment == COMPLETE


def mark_complete(name: str) -> None:
    admin = make_engine(SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"COMMENT ON DATABASE \"{name}\" IS '{COMPLETE}'")
    admin.dispose()


def build(name: str, tables: int) -> None:
    drop_database(SERVER, name)
    create_database(SERVER, name)
    engine = make_engine(url_of(name))
    for first in range(1, tables + 1, 1000):  # one transaction per 1,000 tables (lock table)
        last = min(tables, first + 999)
        with engine.begin() as conn:
            conn.execute(
                sa.text(f"""
            DO $$ BEGIN
            FOR i IN {first}..{last} LOOP
              EXECUTE format('CREATE TABLE t%s (id bigint PRIMARY KEY, a int NOT NULL,
                b varchar(40), c timestamptz DEFAULT now(), d text)', i);
              EXECUTE format('CREATE INDEX ix_t%s_a ON t%s (a)', i, i);
              EXECUTE format('CREATE INDEX ix_t%s_bc ON t%s (b, c DESC)', i, i);
              EXECUTE format('CREATE INDEX ix_t%s_d ON t%s (lower(d)) WHERE a > 0', i, i);
            END LOOP; END $$;
            """)
            )
    engine.dispose()
    mark_complete(name)


def copy_lacking_one_index(template: str, name: str) -> None:
    drop_database(SERVER, name)
    admin = make_engine(SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    admin.dispose()
    engine = make_engine(url_of(name))
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_t1_a")
    engine.dispose()
    mark_complete(name)


def databases(tables: int) -> tuple[str, str]:
    """Names of the pair for ``tables``, built unless a complete pair is already there."""
    a, b = f"bench_schema_{tables}_a", f"bench_schema_{tables}_b"
    if not (is_complete(a) and is_complete(b)):
        started = time.perf_counter()
        build(a, tables)
        copy_lacking_one_index(a, b)
        print(f"built {a} and {b} in {time.perf_counter() - started:.0f} s", flush=True)
    return a, b


def catalog_read(name: str, rounds: int) -> tuple[float, float]:
    """Best seconds of driftline's inspector and of its raw catalog queries alone (fetchall)."""
    import psycopg

    from driftline.schema.inspect import inspect

    url = url_of(name)
    sql_dir = resources.files("driftline.schema") / "sql" / "postgresql"
    queries = [f.read_text() for f in sql_dir.iterdir() if f.name.endswith(".sql")]
    conninfo = url_of(name).replace("postgresql://", "postgresql://", 1)
    inspector, raw = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        inspect(url)
        inspector.append(time.perf_counter() - start)
        start = time.perf_counter()
        with psycopg.connect(conninfo) as conn:
            for query in queries:
                conn.execute(query).fetchall()
        raw.append(time.perf_counter() - start)
    return min(inspector), min(raw)


def measure(tables: int, rounds: int, work: Path, peer_rounds: int | None = None) -> None:
    a, b = databases(tables)
    baseline = work / f"{a}.yaml"
    driftline = [sys.executable, "-m", "driftline"]
    subprocess.run([*driftline, "schema", "snapshot", "--db", url_of(a), "-o", str(baseline)],
                   check=True, capture_output=True)  # fmt: skip
    check = [
        *driftline,
        "schema",
        "check",
        "--db",
        url_of(b),
        "--baseline",
        str(baseline),
        "--fail-on",
        "warning",
    ]
    # the derived caches of this run (filled by one untimed run), and none at all
    cache = {"DRIFTLINE_CACHE_DIR": str(work / "cache")}
    cases = {
        f"driftline schema check, {tables} tables": Case(check, ok=frozenset({1}), env=cache),
        f"driftline schema check, {tables}, no cache": Case(
            check, ok=frozenset({1}), env={"DRIFTLINE_CACHE_DIR": ""}
        ),
        f"driftline schema diff, {tables} tables": Case(
            [
                *driftline,
                "schema",
                "diff",
                "--db",
                url_of(a),
                "--db",
                url_of(b),
                "--fail-on",
                "warning",
            ],
            ok=frozenset({1}),
            env=cache,
        ),
    }
    peers, fewer = {}, {}
    migra = shutil.which("migra") or str(Path(sys.executable).with_name("migra"))
    if Path(migra).exists():
        name = f"migra --unsafe, {tables} tables"
        cases[name] = Case(
            [migra, "--unsafe", url_of(a, "postgresql+psycopg2"), url_of(b, "postgresql+psycopg2")],
            ok=frozenset({2}),
        )
        peers = {case: name for case in cases if case != name}
        fewer = {name: min(rounds, peer_rounds or rounds)}
    else:
        print("migra not installed (pip install -e '.[bench]'): no peer figures")
    run_once(cases[f"driftline schema check, {tables} tables"])  # fills this run's caches
    print(load(), flush=True)
    results = alternate(cases, rounds, fewer)
    print(table(results, peers))
    inspector, raw = catalog_read(a, rounds)
    print(f"catalog read, {tables} tables: inspector {inspector:.3f} s, raw queries {raw:.3f} s "
          f"({inspector / raw:.2f}x the raw queries)")  # fmt: skip
    print(load(), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, action="append", help="sizes (default 1000)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--peer-rounds", type=int, help="rounds of migra (default --rounds; it is slow at 10k)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases for a rerun")
    args = parser.parse_args()
    byte_compile()
    sizes = args.tables or [1000]
    try:
        with tempfile.TemporaryDirectory(prefix="bench_schema_") as tmp:
            for tables in sizes:
                measure(tables, args.rounds, Path(tmp), args.peer_rounds)
    finally:
        if not args.keep:
            for tables in sizes:
                for side in "ab":
                    drop_database(SERVER, f"bench_schema_{tables}_{side}")


if __name__ == "__main__":
    main()
