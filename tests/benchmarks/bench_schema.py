"""Schema snapshot + check speed on PostgreSQL, beside migra and SQLAlchemy bulk reflection.

    python tests/benchmarks/bench_schema.py [--tables 1000] [--big 10000]

Builds a database of N tables with 3 secondary indexes each (plus primary keys), and a copy
(CREATE DATABASE … TEMPLATE) with a few indexes dropped. Then, in one process, best of 3:
driftline snapshot of A + check of B against it; migra diffing A and B (its Python API on open
connections: no interpreter start-up counted); SQLAlchemy 2's bulk reflection
(get_multi_columns / _indexes / _pk_constraint / _foreign_keys) of A.
driftline is measured twice: snapshot + check through the YAML baseline file, and the live diff of
two databases (``schema diff``), which is what migra does.
Targets (issue 3): 1,000 tables ≤ 0.2 s and ≥ 15x faster than migra; 10,000 tables ≤ 2 s.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

from driftline.db import make_engine
from driftline.schema import check, snapshot
from driftline.scratch import DEFAULT_SERVERS, create_database, drop_database

SERVER = DEFAULT_SERVERS["postgresql"]


def build(name: str, tables: int) -> str:
    url = create_database(SERVER, name)
    engine = make_engine(url)
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
    return url


def copy_with_drift(template: str, name: str) -> str:
    admin = make_engine(SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    admin.dispose()
    url = sa.engine.make_url(SERVER).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    with engine.begin() as conn:
        for i in (1, 2, 3):
            conn.exec_driver_sql(f"DROP INDEX ix_t{i}_a")
    engine.dispose()
    return url


def best(fn, repeat: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def driftline_run(a: str, b: str, folder: Path) -> tuple[float, int]:
    def run():
        snapshot(a, folder / "a.yaml")
        return check(b, folder / "a.yaml")

    seconds, findings = best(run)
    return seconds, len(findings)


def driftline_live_diff(a: str, b: str) -> tuple[float, int]:
    """What migra does: read two live catalogs and diff them (no baseline file)."""
    from driftline.schema import diff

    seconds, findings = best(lambda: diff(a, b))
    return seconds, len(findings)


def migra_run(a: str, b: str) -> tuple[float, int] | str:
    try:
        from migra import Migration
    except ImportError as exc:
        return f"migra not importable: {exc}"
    ea = sa.create_engine(a.replace("postgresql+psycopg", "postgresql+psycopg"))
    eb = sa.create_engine(b)
    try:
        with ea.connect() as ca, eb.connect() as cb:

            def run():
                m = Migration(ca, cb)
                m.set_safety(False)
                m.add_all_changes()
                return m.sql

            seconds, sql = best(run)
        return seconds, sql.count("\n")
    except Exception as exc:  # report, do not hide, why migra could not run
        return f"migra failed: {type(exc).__name__}: {str(exc).splitlines()[0]}"
    finally:
        ea.dispose()
        eb.dispose()


def sqlalchemy_run(a: str) -> float:
    engine = make_engine(a)

    def run():
        insp = sa.inspect(engine)
        insp.get_multi_columns(schema="public")
        insp.get_multi_indexes(schema="public")
        insp.get_multi_pk_constraint(schema="public")
        insp.get_multi_foreign_keys(schema="public")

    seconds, _ = best(run)
    engine.dispose()
    return seconds


def measure(tables: int, with_peers: bool) -> dict:
    tag = uuid.uuid4().hex[:6]
    a_name, b_name = f"bench_schema_a_{tag}", f"bench_schema_b_{tag}"
    started = time.perf_counter()
    try:
        a = build(a_name, tables)
        b = copy_with_drift(a_name, b_name)
    except BaseException:
        drop_database(SERVER, b_name)
        drop_database(SERVER, a_name)
        raise
    result: dict = {"tables": tables, "indexes": tables * 3,
                    "build_s": round(time.perf_counter() - started, 1)}  # fmt: skip
    try:
        with tempfile.TemporaryDirectory() as tmp:
            seconds, findings = driftline_run(a, b, Path(tmp))
        result["driftline_snapshot_plus_check_s"] = round(seconds, 3)
        result["driftline_findings"] = findings
        live_s, _ = driftline_live_diff(a, b)
        result["driftline_live_diff_s"] = round(live_s, 3)
        result["sqlalchemy_bulk_reflection_s"] = round(sqlalchemy_run(a), 3)
        if with_peers:
            peer = migra_run(a, b)
            if isinstance(peer, str):
                result["migra"] = peer
            else:
                result["migra_s"] = round(peer[0], 3)
                result["migra_sql_lines"] = peer[1]
                result["speedup_vs_migra_snapshot_check"] = round(peer[0] / seconds, 1)
                result["speedup_vs_migra_live_diff"] = round(peer[0] / live_s, 1)
    finally:
        drop_database(SERVER, b_name)
        drop_database(SERVER, a_name)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--big", type=int, default=10_000)
    args = parser.parse_args()
    results = [measure(args.tables, with_peers=True)]
    print(json.dumps(results[-1]), flush=True)
    if args.big:
        results.append(measure(args.big, with_peers=False))
        print(json.dumps(results[-1]), flush=True)
    Path("bench_schema.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
