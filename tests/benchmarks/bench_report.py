"""Benchmark: a report from 1,000,000 stage samples renders in <= 5 s and stays <= 2 MB.

Builds a synthetic one-hour run directory (histograms.json, run.json and samples.csv.gz with
1,000,000 samples, dispatch slowing down), then times ``build_report`` + ``render_html`` (what
``driftline report RUN_DIR`` does, including the scan of samples.csv.gz for the slowest tickets)
and the terminal rendering. Run: ``python tests/benchmarks/bench_report.py``.
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from driftline.report import build_report, render_html, render_terminal
from tests.report.synthetic import make_run

SAMPLES = 1_000_000
LIMIT_S = 5.0
LIMIT_BYTES = 2 * 1024 * 1024


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        started = time.perf_counter()
        run_dir = make_run(Path(tmp), samples=SAMPLES, duration_s=3600.0)
        setup_s = time.perf_counter() - started
        samples_mb = (run_dir / "samples.csv.gz").stat().st_size / 1e6
        hist_mb = (run_dir / "histograms.json").stat().st_size / 1e6
        print(
            f"setup: {SAMPLES:,} samples in {setup_s:.1f} s "
            f"(samples.csv.gz {samples_mb:.1f} MB, histograms.json {hist_mb:.2f} MB)"
        )

        timings = []
        for _ in range(3):
            t0 = time.perf_counter()
            report = build_report(run_dir)
            t1 = time.perf_counter()
            html = render_html(report)
            (run_dir / "report.html").write_text(html, encoding="utf-8")
            t2 = time.perf_counter()
            timings.append((t2 - t0, t1 - t0, t2 - t1))
        best = min(timings)
        size = len(html.encode("utf-8"))
        (run_dir / "histograms.json").unlink()
        t0 = time.perf_counter()
        rebuilt = render_html(build_report(run_dir))
        rebuild_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        render_terminal(report, Console(file=io.StringIO(), width=100, color_system="truecolor"))
        terminal_s = time.perf_counter() - t0

    print(
        f"html report: best {best[0]:.2f} s of 3 (load+numbers {best[1]:.2f} s, "
        f"render+write {best[2]:.2f} s), worst {max(t[0] for t in timings):.2f} s"
    )
    print(f"html size: {size:,} bytes ({size / 1024 / 1024:.2f} MB)")
    print(f"terminal render: {terminal_s:.2f} s")
    print(
        f"without histograms.json (rebuilt from samples.csv.gz): {rebuild_s:.2f} s, "
        f"{len(rebuilt.encode('utf-8')):,} bytes"
    )
    print(f"bottleneck: {report.bottleneck.stage} ({report.bottleneck.reason})")
    ok = max(t[0] for t in timings) <= LIMIT_S and size <= LIMIT_BYTES
    print("PASS" if ok else "FAIL", f"(limits: {LIMIT_S:g} s, {LIMIT_BYTES:,} bytes)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
