"""Reference-system figures on PostgreSQL, side by side with pgbench in one run.

    python tests/benchmarks/bench_refsys.py [--tickets 1000000] [--clients 100] [--seconds 20]

1. seeding N tickets (~6 status rows each) with COPY: seconds and rows/s (target <= 90 s at 1M);
2. the dispatch pickup query with and without ix_ticket_status_log_status_changed
   (target: <= 5 ms with it; past the 500 ms timeout without it);
3. create-ticket throughput and p50/p95/p99 through the HTTP API with ``--clients`` concurrent
   connections (wrk, Debian package), beside pgbench running the same two-insert transaction
   (target: >= 0.3 of pgbench's TPS, p95 <= 100 ms).
Needs: local PostgreSQL, /usr/bin/pgbench, /usr/bin/wrk. Uses a scratch database, dropped after.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import sqlalchemy as sa

from driftline.scratch import DEFAULT_SERVERS, scratch_database
from reference_system.bootstrap import init_database
from reference_system.config import load_config
from reference_system.database import make_engine, utcnow
from reference_system.dispatcher import pickup_sql
from reference_system.routing import load_routing
from reference_system.seed import seed

PGBENCH_SCRIPT = """\\set cust random(1, 1000000)
BEGIN;
INSERT INTO ticket (priority, status_code, source, region, category, customer_id, title,
  description, department, created_at, reopen_count)
  VALUES ('P2', 'NEW', 'web_form', 'south', 'delivery', :cust, 'Delivery late', '',
  'logistics', now(), 0) RETURNING id \\gset
INSERT INTO ticket_status_log (ticket_id, from_status, status_code, changed_at, actor)
  VALUES (:id, NULL, 'NEW', now(), 'pgbench');
END;
"""

WRK_LUA = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  local body = string.format('{"priority":"P2","source":"web_form","region":"south",' ..
    '"category":"delivery","customer_id":%d,"title":"Delivery late","description":"bench"}',
    (n %% 100000) + 1)
  return wrk.format(nil, "/tickets", nil, body)
end
done = function(summary, latency, requests)
  for _, p in pairs({50, 95, 99}) do
    io.write(string.format("pct %d %.3f\\n", p, latency:percentile(p) / 1000))
  end
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed(engine, sql: str, params: dict, repeat: int) -> list[float]:
    times = []
    with engine.connect() as conn:
        for _ in range(repeat):
            start = time.perf_counter()
            conn.execute(sa.text(sql), params).all()
            times.append((time.perf_counter() - start) * 1000)
            conn.rollback()
    return times


def bench_pickup(engine) -> dict:
    sql = pickup_sql("postgresql")
    params = {
        "since": utcnow().replace(microsecond=0) - __import__("datetime").timedelta(hours=1),
        "batch": 50,
    }
    with_index = timed(engine, sql, params, 50)
    with engine.begin() as conn:
        plan_with = conn.execute(sa.text("EXPLAIN " + sql), params).scalars().all()
        conn.exec_driver_sql("DROP INDEX ix_ticket_status_log_status_changed")
    try:
        without = timed(engine, sql, params, 3)
        with engine.begin() as conn:
            plan_without = conn.execute(sa.text("EXPLAIN " + sql), params).scalars().all()
            conn.exec_driver_sql("SET LOCAL statement_timeout = 500")
            try:
                conn.execute(sa.text(sql), params).all()
                timed_out = False
            except sa.exc.OperationalError:
                timed_out = True
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "CREATE INDEX ix_ticket_status_log_status_changed "
                "ON ticket_status_log (status_code, changed_at)"
            )
    return {
        "with_index_median_ms": round(statistics.median(with_index), 3),
        "with_index_p95_ms": round(sorted(with_index)[int(0.95 * len(with_index)) - 1], 3),
        "without_index_median_ms": round(statistics.median(without), 1),
        "without_index_times_out_at_500ms": timed_out,
        "plan_with_index": next(p.strip() for p in plan_with if "status_changed" in p),
        "plan_without_index": next(p.strip() for p in plan_without if "Scan" in p),
    }


def run_pgbench(url: sa.engine.URL, clients: int, seconds: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write(PGBENCH_SCRIPT)
    out = subprocess.run(
        ["pgbench", "-n", "-h", url.host, "-p", str(url.port or 5432), "-U", url.username,
         "-c", str(clients), "-j", "2", "-T", str(seconds), "-r", "-f", f.name, url.database],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    tps = float(re.search(r"tps = ([\d.]+)", out.stdout).group(1))
    latency = float(re.search(r"latency average = ([\d.]+) ms", out.stdout).group(1))
    return {"tps": round(tps, 1), "latency_avg_ms": latency, "clients": clients}


def run_api(db_url: str, clients: int, seconds: int, http_workers: int) -> dict:
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "driftline", "refsys", "serve", "--db", db_url, "--port", str(port),
         "--workers", str(http_workers)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
            f.write(WRK_LUA.replace("%%", "%"))
        out = subprocess.run(
            ["wrk", "-t", "2", "-c", str(clients), "-d", f"{seconds}s", "--latency", "-s", f.name,
             f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=20)

    def ms(pct: int) -> float:
        return round(float(re.search(rf"^pct {pct} ([\d.]+)$", out.stdout, re.M).group(1)), 2)

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out.stdout)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out.stdout).group(1)),
        "p50_ms": ms(50),
        "p95_ms": ms(95),
        "p99_ms": ms(99),
        "errors": int(non2xx.group(1)) if non2xx else 0,
        "clients": clients,
        "http_workers": http_workers,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--pgbench-clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--http-workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    results: dict = {}
    with scratch_database(DEFAULT_SERVERS["postgresql"], prefix="bench_refsys") as url:
        config = load_config()
        engine = make_engine(url)
        init_database(engine, config)
        res = seed(engine, load_routing(config.routing_file), args.tickets, seed=1)
        results["seed"] = {
            "tickets": res.tickets,
            "status_rows": res.status_rows,
            "seconds": round(res.seconds, 1),
            "rows_per_s": round(res.rows_per_s),
        }
        print("seed", results["seed"], flush=True)
        results["pickup"] = bench_pickup(engine)
        print("pickup", results["pickup"], flush=True)
        engine.dispose()
        parsed = sa.engine.make_url(url)
        results["pgbench"] = run_pgbench(parsed, args.pgbench_clients, args.seconds)
        print("pgbench", results["pgbench"], flush=True)
        results["api"] = run_api(url, args.clients, args.seconds, args.http_workers)
        results["api"]["ratio_to_pgbench"] = round(
            results["api"]["rps"] / results["pgbench"]["tps"], 3
        )
        print("api", results["api"], flush=True)
    Path("bench_refsys.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
