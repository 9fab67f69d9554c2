"""``driftline lint`` beside ``squawk`` on real migrations, as whole processes.

    python tests/benchmarks/bench_lint.py --source GITDIR:PATH [--source ...] [--rounds 5]

A source is a repository fetched elsewhere (its git directory and the migrations folder in it,
e.g. ory/kratos's ``persistence/sql/migrations/sql``) or a plain directory; git sources are read
from HEAD into a temporary directory at run time, so nothing is copied into driftline.
PostgreSQL files are those whose name says ``postgres`` or names no other database.

Two corpora, each run by both tools in turns, best of ``--rounds``:

- the first source's PostgreSQL *up* migrations (ory/kratos: a few hundred files), target
  ≤ 0.3 s whole process for driftline;
- a 1,000-file corpus: the PostgreSQL files of all sources, in name order, first 1,000;
  reported as files per second for both tools.

driftline runs three ways per round: *cold*, with an empty lint cache (the cache directory is
removed just before the process starts, untimed, so the run parses every file, hashes them and
stores the result); *warm*, with the cache holding this run's findings (CI re-linting unchanged
files); and *1 added*, with the cache an earlier run over all files but the last left (CI after
a migration was added: only that file is linted; that cache is copied into place before the
process starts, untimed). A fourth case is the cold run with ``--format github``, as the
README's CI step runs it (plain annotations, no terminal renderer). The target is judged on the
cold figures. ``--other-python`` adds the cold run of another installation (e.g. a virtualenv
with ``sqlglot[c]``).

squawk (PyPI ``squawk-cli``, in the bench extras) exits 1 when it reports a violation and
driftline exits 1 on an error finding; both are accepted, anything else stops the benchmark.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path

from wholeprocess import Case, alternate, byte_compile, load, peer, table

OTHER_DATABASES = ("mysql", "sqlite", "cockroach", "mssql", "sqlserver")


def materialise(source: str, into: Path) -> Path:
    """A directory holding the source's files (a git source is archived from its HEAD)."""
    if Path(source).is_dir():
        return Path(source)
    gitdir, _, sub = source.partition(":")
    data = subprocess.run(
        ["git", "--git-dir", gitdir, "archive", "HEAD", sub], check=True, capture_output=True
    ).stdout
    target = into / f"src{len(list(into.iterdir()))}"
    target.mkdir()
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(target, filter="data")
    return target


def postgresql_files(folder: Path, up_only: bool = False) -> list[Path]:
    files = []
    for path in sorted(folder.rglob("*.sql")):
        name = path.name.lower()
        if any(db in name for db in OTHER_DATABASES):
            continue
        if up_only and ".down." in name:
            continue
        files.append(path)
    return files


def emptied(folder: Path) -> Callable[[], None]:
    """Removes a cache directory before a timed run: a cold start."""
    return lambda: shutil.rmtree(folder, ignore_errors=True)


def restored(folder: Path, earlier: Path) -> Callable[[], None]:
    """Puts a cache directory back as an earlier run left it, before a timed run."""

    def prepare() -> None:
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(earlier, folder)

    return prepare


def tools(files: list[Path], work: Path, other_python: str | None = None) -> dict[str, Case]:
    """The cases, in turn order: driftline cold, driftline warm, squawk, driftline with one
    file added, driftline cold writing GitHub annotations (and another python)."""
    names = [str(f) for f in files]
    squawk = peer("squawk")
    if squawk is None:
        raise SystemExit("squawk is not installed: pip install -e '.[bench]'")
    lint = ["-m", "driftline", "lint", *names]
    n = len(files)
    cold, warm = work / f"cold-{n}", work / f"warm-{n}"
    warm_env = {"DRIFTLINE_CACHE_DIR": str(warm)}
    subprocess.run([sys.executable, *lint], env=dict(os.environ, **warm_env), capture_output=True)
    # the cache a run over all files but the last left: a CI run after a migration was added
    before, added = work / f"before-{n}", work / f"added-{n}"
    subprocess.run(
        [sys.executable, *lint[:-1]],
        env=dict(os.environ, DRIFTLINE_CACHE_DIR=str(before)),
        capture_output=True,
    )
    cases = {
        f"driftline lint, {n} files, cold": Case(
            [sys.executable, *lint],
            ok=frozenset({0, 1}),
            env={"DRIFTLINE_CACHE_DIR": str(cold)},
            prepare=emptied(cold),
        ),
        f"driftline lint, {n} files, warm": Case(
            [sys.executable, *lint], ok=frozenset({0, 1}), env=warm_env
        ),
        f"squawk, {n} files": Case([squawk, *names], ok=frozenset({0, 1})),
        f"driftline lint, {n} files, 1 added": Case(
            [sys.executable, *lint],
            ok=frozenset({0, 1}),
            env={"DRIFTLINE_CACHE_DIR": str(added)},
            prepare=restored(added, before),
        ),
        f"driftline lint, {n} files, cold, github": Case(
            [sys.executable, *lint[:3], "-f", "github", *names],
            ok=frozenset({0, 1}),
            env={"DRIFTLINE_CACHE_DIR": str(cold)},
            prepare=emptied(cold),
        ),
    }
    if other_python:
        cases[f"other python, {n} files, cold"] = Case(
            [other_python, *lint],
            ok=frozenset({0, 1}),
            env={"DRIFTLINE_CACHE_DIR": str(work / f"other-{n}")},
            prepare=emptied(work / f"other-{n}"),
        )
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", action="append", required=True, help="GITDIR:PATH or DIR")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--other-python", help="another installation's python, run cold too")
    args = parser.parse_args()
    byte_compile()
    with tempfile.TemporaryDirectory(prefix="bench_lint_") as tmp:
        sources = Path(tmp) / "sources"
        sources.mkdir()
        folders = [materialise(s, sources) for s in args.source]
        few = postgresql_files(folders[0], up_only=True)
        corpus = sorted((f for d in folders for f in postgresql_files(d)), key=lambda p: p.name)
        corpus = corpus[:1000]
        print(load(), flush=True)
        for files in (few, corpus):
            cases = tools(files, Path(tmp), args.other_python)
            cold, warm, squawk = list(cases)[:3]
            results = alternate(cases, args.rounds)
            print(table(results, {name: squawk for name in cases if name != squawk}))
            for name, result in results.items():
                print(f"  {name}: {len(files) / result.best:,.0f} files/s")
            for name in (cold, warm, *list(cases)[3:5]) if files is few else ():
                seconds = results[name].best
                verdict = "met" if seconds <= 0.3 else "missed"
                print(f"  {name}: {seconds:.3f} s, target ≤ 0.3 s {verdict}")
        print(load())


if __name__ == "__main__":
    main()
