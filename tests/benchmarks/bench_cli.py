"""Start-up bound commands as whole processes: ``--version``, lint of one file, plan check.

    python tests/benchmarks/bench_cli.py [--rounds 7] [--other-python /venv/bin/python]

Runs, in turns, best of ``--rounds``: the bare interpreter (the floor), ``driftline --version``,
``driftline --help``, ``driftline lint`` of one small migration beside ``squawk`` on the same file
(cold: its lint cache is removed before the timed run; and warm, answered from the cache),
and ``driftline plan check`` of the reference system on SQLite (its database and plan baseline are
built first in a temporary directory). ``--other-python`` adds the same driftline commands run by
another installation (e.g. a virtualenv with another Typer), so two stacks are compared in one run.
Target: ``driftline --version`` ≤ 0.15 s.
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from wholeprocess import Case, alternate, byte_compile, load, peer, table

ROOT = Path(__file__).resolve().parents[2]
HOT = ROOT / "reference_system" / "hot_queries.yaml"

MIGRATION = """\
-- a small, typical migration
ALTER TABLE ticket ADD COLUMN escalated_at timestamptz;
CREATE INDEX ix_ticket_escalated ON ticket (escalated_at);
UPDATE ticket SET escalated_at = now() WHERE priority = 1;
"""


def driftline_argv(python: str) -> list[str]:
    return [python, "-m", "driftline"]


def prepare_refsys(work: Path) -> tuple[str, Path]:
    """A seeded SQLite reference system and a plan baseline captured from it."""
    url = f"sqlite:///{work / 'refsys.db'}"
    base = driftline_argv(sys.executable)
    subprocess.run([*base, "refsys", "init", "--db", url], check=True, capture_output=True)
    seed = [*base, "refsys", "seed", "--db", url, "--tickets", "2000"]
    subprocess.run(seed, check=True, capture_output=True)
    baseline = work / "plans.yaml"
    capture = [*base, "plan", "capture", "--db", url, "-q", str(HOT), "-o", str(baseline)]
    subprocess.run(capture, check=True, capture_output=True)
    return url, baseline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--other-python", help="another installation's python, compared too")
    args = parser.parse_args()
    byte_compile()

    with tempfile.TemporaryDirectory(prefix="bench_cli_") as tmp:
        work = Path(tmp)
        migration = work / "0001_escalation.sql"
        migration.write_text(MIGRATION)
        url, baseline = prepare_refsys(work)

        pythons = {"": sys.executable}
        if args.other_python:
            pythons[" (other)"] = args.other_python
        cases: dict[str, Case] = {"python -c pass (floor)": Case([sys.executable, "-c", "pass"])}
        peers: dict[str, str] = {}
        for label, python in pythons.items():
            dl = driftline_argv(python)
            cases[f"driftline --version{label}"] = Case([*dl, "--version"])
            cases[f"driftline --help{label}"] = Case([*dl, "--help"])
            cache = work / f"lint-cache{len(cases)}"
            cases[f"driftline lint, one file{label}"] = Case(
                [*dl, "lint", str(migration)],
                ok=frozenset({0, 1}),
                env={"DRIFTLINE_CACHE_DIR": str(cache)},
                prepare=functools.partial(shutil.rmtree, cache, ignore_errors=True),
            )
            warm = {"DRIFTLINE_CACHE_DIR": str(work / "warm-cache")}
            subprocess.run(
                [*dl, "lint", str(migration)], env=dict(os.environ, **warm), capture_output=True
            )
            cases[f"driftline lint, one file, warm{label}"] = Case(
                [*dl, "lint", str(migration)], ok=frozenset({0, 1}), env=warm
            )
            cases[f"driftline plan check{label}"] = Case(
                [*dl, "plan", "check", "--db", url, "-b", str(baseline)]
            )
        squawk = peer("squawk")
        if squawk:
            cases["squawk, one file"] = Case([squawk, str(migration)], ok=frozenset({0, 1}))
            for label in pythons:
                peers[f"driftline lint, one file{label}"] = "squawk, one file"
                peers[f"driftline lint, one file, warm{label}"] = "squawk, one file"

        print(load())
        results = alternate(cases, args.rounds)
        print(table(results, peers))
        print(load())
        version = results["driftline --version"].best
        verdict = "met" if version <= 0.15 else "missed"
        print(f"driftline --version: {version:.3f} s, target ≤ 0.15 s {verdict}")


if __name__ == "__main__":
    main()
