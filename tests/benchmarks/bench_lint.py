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

squawk (PyPI ``squawk-cli``, in the bench extras) exits 1 when it reports a violation and
driftline exits 1 on an error finding; both are accepted, anything else stops the benchmark.
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from wholeprocess import Case, alternate, load, table

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


def tools(files: list[Path]) -> dict[str, Case]:
    names = [str(f) for f in files]
    squawk = shutil.which("squawk") or str(Path(sys.executable).with_name("squawk"))
    return {
        f"driftline lint, {len(files)} files": Case(
            [sys.executable, "-m", "driftline", "lint", *names], ok=frozenset({0, 1})
        ),
        f"squawk, {len(files)} files": Case([squawk, *names], ok=frozenset({0, 1})),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", action="append", required=True, help="GITDIR:PATH or DIR")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_lint_") as tmp:
        folders = [materialise(s, Path(tmp)) for s in args.source]
        few = postgresql_files(folders[0], up_only=True)
        corpus = sorted((f for d in folders for f in postgresql_files(d)), key=lambda p: p.name)
        corpus = corpus[:1000]
        print(load(), flush=True)
        for files in (few, corpus):
            cases = tools(files)
            lint, squawk = cases
            results = alternate(cases, args.rounds)
            print(table(results, {lint: squawk}))
            for name, result in results.items():
                print(f"  {name}: {len(files) / result.best:,.0f} files/s")
            if files is few:
                seconds = results[lint].best
                verdict = "met" if seconds <= 0.3 else "missed"
                print(f"  driftline lint of {len(files)} files: {seconds:.3f} s, "
                      f"target ≤ 0.3 s {verdict}")  # fmt: skip
        print(load())


if __name__ == "__main__":
    main()
