"""driftline lint beside squawk on real migrations: an agreement table per hazard.

    python tests/benchmarks/lint_conformance.py DIR [DIR ...] [--verify] [--examples N]
    python tests/benchmarks/lint_conformance.py --git GITDIR:persistence/sql/migrations/sql

A ``--git GITDIR:PATH`` source (a repository fetched elsewhere) is read from its HEAD into a
temporary directory at run time; nothing is copied into driftline. By default each source is
linted as a migration history: files in name order, each against the schema the files before it
built (so column types and earlier tables are known); ``--per-file`` lints each file alone, as
squawk does. PostgreSQL files (``*.sql`` whose name says ``postgres``, or says no dialect) are
linted by both tools, with every table a file did not create taken as holding data
(``--large-table '*'``, which is what squawk assumes) and the opt-in rules on; MySQL files
(``mysql`` in the name) by driftline only. Findings are matched per statement and hazard;
squawk's style-only rules are counted apart. ``--verify`` runs the PostgreSQL files on a scratch
database and checks each type-change prediction by the table's file node. Finally both tools run
as whole processes over the same PostgreSQL files (best of 3).
"""

from __future__ import annotations

import argparse
import collections
import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from driftline.lint import lint_text, new_state
from driftline.lint.dialect import get
from driftline.lint.split import split


def finding(*tests: str):  # type: ignore[no-untyped-def]
    """A test on a driftline finding: any of ``KIND`` or ``KIND:TEXT`` (TEXT in its message)."""
    pairs = [test.partition(":")[::2] for test in tests]
    return lambda f: any(f.kind == kind and text in f.message for kind, text in pairs)


#: hazard → (squawk rules, a test on a driftline finding)
HAZARDS: dict[str, tuple[set[str], object]] = {
    "CREATE INDEX without CONCURRENTLY": (
        {"require-concurrent-index-creation"},
        finding("lint.index_not_concurrently"),
    ),
    "DROP INDEX without CONCURRENTLY": (
        {"require-concurrent-index-deletion"},
        finding("lint.drop_index_concurrently"),
    ),
    "FK/CHECK without NOT VALID": (
        {"constraint-missing-not-valid", "adding-foreign-key-constraint"},
        finding("lint.constraint_not_valid"),
    ),
    "SET NOT NULL (full scan)": (
        {"adding-not-nullable-field"},
        finding("lint.table_rewrite:SET NOT NULL"),
    ),
    "column type change": (
        {"changing-column-type"},
        finding("lint.table_rewrite:changing the type"),
    ),
    "ADD COLUMN that rewrites": (
        {"adding-field-with-default", "adding-generated-column"},
        finding("lint.stored_generated_column", "lint.table_rewrite:ADD COLUMN"),
    ),
    "ADD COLUMN NOT NULL without DEFAULT": (
        {"adding-required-field"},
        finding("lint.add_required_column"),
    ),
    "ADD UNIQUE/PRIMARY KEY without USING INDEX": (
        {"disallowed-unique-constraint", "adding-serial-primary-key-field"},
        finding("lint.unique_without_index"),
    ),
    "rename": ({"renaming-column", "renaming-table"}, finding("lint.rename_in_use")),
    "no lock_timeout": (
        {"require-lock-timeout", "require-timeout-settings"},
        finding("lint.lock_timeout"),
    ),
    "DROP COLUMN": ({"ban-drop-column"}, finding("lint.drop_column_in_use")),
    "DROP TABLE": ({"ban-drop-table"}, finding("lint.drop_table")),
    "DROP CONSTRAINT": (
        {"ban-drop-constraint"},
        finding("lint.drop_constraint", "lint.drop_primary_key"),
    ),
}
OPT_IN = ["lock-timeout", "drop-index-concurrently"]


def collect(dirs: list[Path]) -> tuple[list[Path], list[Path]]:
    pg, my = [], []
    for d in dirs:
        for path in sorted(d.rglob("*.sql")):
            name = str(path.relative_to(d)).lower()  # the dialect may be a folder's name
            if ".down." in name or "down.sql" in name:
                continue
            if "mysql" in name:
                my.append(path)
            elif "postgres" in name or not any(w in name for w in ("sqlite", "cockroach")):
                pg.append(path)
    return pg, my


def from_git(spec: str, into: Path) -> Path:
    gitdir, _, sub = spec.partition(":")
    data = subprocess.run(
        ["git", "--git-dir", gitdir, "archive", "HEAD", sub], check=True, capture_output=True
    ).stdout
    target = into / Path(gitdir).parent.name
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(target, filter="data")
    return target


def statement_of(spans: list[tuple[int, int]], line: int) -> int:
    for first, last in spans:
        if first <= line <= last:
            return first
    return line


def squawk(files: list[Path]) -> list[dict]:
    exe = shutil.which("squawk") or str(Path(sys.executable).parent / "squawk")
    found: list[dict] = []
    for start in range(0, len(files), 200):
        chunk = [str(f) for f in files[start : start + 200]]
        run = subprocess.run(
            [exe, "--reporter", "json", *chunk], capture_output=True, text=True, check=False
        )
        found += json.loads(run.stdout or "[]")
    return found


def compare(pg: list[Path], examples: int, history: bool) -> set[tuple[str, int]]:
    """Print the agreement table; return the statements driftline predicts a type-change
    rewrite for."""
    spans: dict[str, list[tuple[int, int]]] = {}
    ours: dict[tuple[str, int, str], str] = {}
    other_kinds: collections.Counter[str] = collections.Counter()
    statements = unparseable = 0
    d = get("postgresql")
    state = new_state(d, large_tables=["*"])
    for path in pg:
        source = path.read_text(encoding="utf-8", errors="replace")
        pieces = [p for p in split(source, d) if not p.skipped]
        statements += len(pieces)
        spans[str(path)] = [(p.line, p.line + p.text.count("\n")) for p in pieces]
        if history:
            state.settle()
        else:
            state = new_state(d, large_tables=["*"])
        for f in lint_text(source, str(path), state=state, rules=OPT_IN):
            hazard = next((h for h, (_, test) in HAZARDS.items() if test(f)), None)  # type: ignore[operator]
            if hazard:
                ours[(str(path), f.line or 0, hazard)] = f.message
            else:
                other_kinds[f.kind] += 1
                unparseable += f.kind == "lint.unparseable"
    theirs: dict[tuple[str, int, str], str] = {}
    style: collections.Counter[str] = collections.Counter()
    for v in squawk(pg):
        rule = v.get("rule_name", "")
        hazard = next((h for h, (rules, _) in HAZARDS.items() if rule in rules), None)
        if hazard is None:
            style[rule] += 1
            continue
        first = statement_of(spans.get(v["file"], []), int(v["line"]) + 1)
        theirs[(v["file"], first, hazard)] = v.get("message", "")
    print(f"PostgreSQL: {len(pg)} files, {statements} statements, {unparseable} unparseable")
    print(f"\n{'hazard':44} {'both':>5} {'squawk':>7} {'driftline':>9}")
    for hazard in HAZARDS:
        a = {k for k in theirs if k[2] == hazard}
        b = {k for k in ours if k[2] == hazard}
        print(f"{hazard:44} {len(a & b):5} {len(a - b):7} {len(b - a):9}")
        for key in sorted(a - b)[:examples]:
            print(f"    squawk only: {key[0]}:{key[1]}")
        for key in sorted(b - a)[:examples]:
            print(f"    driftline only: {key[0]}:{key[1]}  {ours[key][:70]}")
    print("\ndriftline findings with no squawk counterpart:")
    rewrites = {(k[0], k[1]) for k, m in ours.items() if "rewrites the whole" in m}
    for kind, n in other_kinds.most_common():
        print(f"  {kind:40} {n}")
    print("squawk rules outside these hazards (style, robustness):")
    for rule, n in style.most_common():
        print(f"  {rule:40} {n}")
    return rewrites


_ALTER_TYPE = re.compile(r"ALTER\s+TABLE\s+(?:ONLY\s+)?(\S+)\s.*\bTYPE\b", re.I | re.S)


def verify_on_server(pg: list[Path], predicted: set[tuple[str, int]]) -> None:
    """Run the files in order on a scratch PostgreSQL database; for every ALTER … TYPE, did the
    table's file node change? Compared with driftline's predictions (history mode)."""
    import sqlalchemy as sa

    from driftline.scratch import DEFAULT_SERVERS, scratch_database

    d = get("postgresql")
    results: list[tuple[str, int, bool]] = []
    failed = 0
    with scratch_database(DEFAULT_SERVERS["postgresql"], prefix="dl_conformance") as url:
        engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            for path in pg:
                source = path.read_text(encoding="utf-8", errors="replace")
                for piece in split(source, d):
                    if piece.skipped:
                        continue
                    m = _ALTER_TYPE.match(piece.text)
                    node = f"SELECT pg_relation_filenode('{m.group(1)}')" if m else None
                    try:
                        before = conn.exec_driver_sql(node).scalar() if node else None
                        conn.exec_driver_sql(piece.text.replace("%", "%%"))
                    except sa.exc.DBAPIError:
                        failed += 1
                        continue
                    if node:
                        after = conn.exec_driver_sql(node).scalar()
                        results.append((str(path), piece.line, after != before))
        engine.dispose()
    agree = sum(((f, line) in predicted) == rewrote for f, line, rewrote in results)
    rewrote = sum(r for *_, r in results)
    print(
        f"\non PostgreSQL ({failed} statements failed to run): {len(results)} column type "
        f"changes, {rewrote} rewrote the table (new file node); driftline predicted "
        f"{len(predicted)} rewrites and agrees with the server on {agree} of {len(results)}"
    )


def mysql_summary(my: list[Path], history: bool) -> None:
    if not my:
        return
    kinds: collections.Counter[str] = collections.Counter()
    statements = 0
    d = get("mysql")
    state = new_state(d, large_tables=["*"])
    for path in my:
        source = path.read_text(encoding="utf-8", errors="replace")
        statements += sum(1 for p in split(source, d) if not p.skipped)
        if history:
            state.settle()
        else:
            state = new_state(d, large_tables=["*"])
        for f in lint_text(source, str(path), state=state):
            kinds[f.kind] += 1
    print(f"\nMySQL (driftline only): {len(my)} files, {statements} statements")
    for kind, n in kinds.most_common():
        print(f"  {kind:40} {n}")


def timing(pg: list[Path]) -> None:
    files = [str(p) for p in pg]
    rules = [a for r in OPT_IN for a in ("--rule", r)]
    runs = {
        "driftline lint": [sys.executable, "-m", "driftline", "lint", "--large-table", "*", *rules],
        "squawk": [shutil.which("squawk") or str(Path(sys.executable).parent / "squawk")],
    }
    print(f"\nwhole process over the {len(files)} PostgreSQL files (best of 3):")
    for name, cmd in runs.items():
        best = min(_timed(cmd + files) for _ in range(3))
        print(f"  {name:16} {best:.3f} s")


def _timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, capture_output=True, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dirs", nargs="*", type=Path)
    parser.add_argument("--git", action="append", default=[], help="GITDIR:PATH (repeatable)")
    parser.add_argument("--examples", type=int, default=0, help="disagreements shown per hazard")
    parser.add_argument("--no-timing", action="store_true")
    parser.add_argument(
        "--verify",
        action="store_true",
        help="run the PostgreSQL files on a scratch database of the local server and check "
        "each type-change prediction by the table's file node",
    )
    parser.add_argument(
        "--per-file",
        action="store_true",
        help="lint each file alone, as squawk does (default: in name order, each file against "
        "the schema the files before it built)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lint-conformance-") as tmp:
        dirs = list(args.dirs) + [from_git(spec, Path(tmp)) for spec in args.git]
        pg, my = collect(dirs)
        for d in dirs:  # one history per source
            pg_d = [p for p in pg if d in p.parents]
            my_d = [p for p in my if d in p.parents]
            print(f"=== {d.name}")
            predicted = compare(pg_d, args.examples, not args.per_file)
            if args.verify:
                verify_on_server(pg_d, predicted)
            mysql_summary(my_d, not args.per_file)
        if not args.no_timing:
            timing(pg)


if __name__ == "__main__":
    main()
