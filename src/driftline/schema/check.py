"""Library entry points the CLI wraps: snapshot, check against a baseline, diff two databases."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from driftline.db import Timeouts, describe
from driftline.errors import UsageError
from driftline.findings import Finding
from driftline.schema.baseline import Baseline, load_baseline, write_baseline
from driftline.schema.diff import diff_schemas
from driftline.schema.gcpause import gc_paused
from driftline.schema.inspect import inspect
from driftline.schema.model import Schema, sharing

T = TypeVar("T")
U = TypeVar("U")


def snapshot(
    db: str,
    out: str | Path,
    *,
    critical_indexes: Iterable[str] = (),
    critical_tables: Iterable[str] = (),
) -> Baseline:
    """Write a baseline of the live database ``db``; critical names are ``table.index``."""
    with gc_paused(), sharing():
        schema = inspect(db)
    baseline = _with_critical(Baseline(schema), schema, critical_indexes, critical_tables)
    write_baseline(baseline, out)
    return baseline


def _as_written(name: str, dialect: str) -> str:
    """A dotted name as written in DDL, as the server stores it: quoted parts keep their
    spelling, unquoted ones fold the way the server folds them (PostgreSQL: lower case)."""
    from driftline import dialects

    d = dialects.get(dialect)
    parts = re.findall(r'"((?:[^"]|"")*)"|`((?:[^`]|``)*)`|([^.]+)', name)
    return ".".join(q or b or d.fold(bare) for q, b, bare in parts)


def _matches(name: str, known: Iterable[str], dialect: str) -> list[str]:
    """Known dotted names ending in ``name`` as the server stores it; failing that, ignoring
    case (MariaDB and SQLite compare index and table names so)."""
    wanted = _as_written(name, dialect)

    def tails(k: str) -> list[str]:
        parts = k.split(".")
        return [".".join(parts[i:]) for i in range(len(parts))]

    for key in (str, str.lower):
        found = sorted(k for k in known if key(wanted) in [key(t) for t in tails(k)])
        if found:
            return found
    return []


def _with_critical(
    baseline: Baseline, schema: Schema, indexes: Iterable[str], tables: Iterable[str]
) -> Baseline:
    """Mark critical indexes (``[schema.]table.index`` or ``index``) and tables, each written
    the way the DDL writes it."""
    known_ix = [f"{t}.{i}" for t, table in schema.tables.items() for i in table.indexes]
    for name in indexes:
        matches = _matches(name, known_ix, schema.dialect)
        if not matches:
            raise UsageError(f"--critical-index {name}: no such index in the snapshot")
        baseline.critical_indexes.update(matches)
    for name in tables:
        matches = _matches(name, list(schema.tables), schema.dialect)
        if not matches:
            raise UsageError(f"--critical-table {name}: no such table in the snapshot")
        baseline.critical_tables.update(matches)
    return baseline


def snapshot_from_sql(
    path: str | Path,
    dialect: str,
    out: str | Path,
    *,
    scratch_server: str | None = None,
    critical_indexes: Iterable[str] = (),
    critical_tables: Iterable[str] = (),
    hash_comments: bool = False,
) -> tuple[Baseline, list[str]]:
    """Write a baseline of the schema the DDL file ``path`` builds (see
    :mod:`driftline.schema.fromsql`); also return one line per statement not executed."""
    from driftline.schema.fromsql import schema_from_sql

    built = schema_from_sql(path, dialect, scratch_server, hash_comments=hash_comments)
    baseline = _with_critical(
        Baseline(built.schema), built.schema, critical_indexes, critical_tables
    )
    write_baseline(baseline, out)
    return baseline, built.skipped


def compare(
    db: str,
    baseline: str | Path | Baseline,
    *,
    strict: bool = False,
    timeouts: Timeouts | None = None,
) -> tuple[Baseline, Schema, list[Finding]]:
    """The baseline, the live schema of ``db`` and the findings between them."""
    with gc_paused(), sharing():
        return _compare(db, baseline, strict, timeouts)


def _compare(
    db: str, baseline: str | Path | Baseline, strict: bool, timeouts: Timeouts | None
) -> tuple[Baseline, Schema, list[Finding]]:
    if isinstance(baseline, Baseline):
        base, live = baseline, inspect(db, timeouts)
    else:
        base, live = _load_while_inspecting(baseline, db, timeouts)
    if live.dialect != base.dialect:
        raise UsageError(
            f"{base.path} is a {base.dialect} baseline; {describe(db)} is {live.dialect}"
        )
    findings = diff_schemas(
        base.schema,
        live,
        critical_tables=base.critical_tables,
        critical_indexes=base.critical_indexes,
        ignore=base.ignore,
        strict=strict,
    )
    source = describe(db)
    return base, live, [_sourced(f, source, base.path) for f in findings]


def _both(
    first: Callable[[], T], second: Callable[[], U], *, wait_on_error: bool = True
) -> tuple[T, U]:
    """Run ``first`` in a thread while ``second`` runs here, so that one side's server answers
    its catalog queries while the other side's rows are read or its file parsed.

    An error of ``first`` is raised before one of ``second``, as if they ran in turn, unless
    ``wait_on_error`` is false: then an error of ``second`` is raised at once (``first`` goes
    on in a daemon thread and is dropped).
    """
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["value"] = first()
        except BaseException as exc:  # handed to the caller below
            box["error"] = exc

    worker = threading.Thread(target=run, name="driftline-catalog", daemon=True)
    worker.start()
    try:
        other = second()
    except BaseException:
        if wait_on_error:
            worker.join()
            if "error" in box:
                raise box["error"] from None  # type: ignore[misc]
        raise
    worker.join()
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"], other  # type: ignore[return-value]


def _load_while_inspecting(
    path: str | Path, db: str, timeouts: Timeouts | None
) -> tuple[Baseline, Schema]:
    """Parse the baseline file while the server answers the catalog queries.

    A bad baseline is reported at once; otherwise a connection problem is reported as
    :func:`inspect` raised it.
    """
    live, base = _both(
        lambda: inspect(db, timeouts), lambda: load_baseline(path), wait_on_error=False
    )
    return base, live


def check(
    db: str,
    baseline: str | Path | Baseline,
    *,
    strict: bool = False,
    timeouts: Timeouts | None = None,
) -> list[Finding]:
    """Findings of the live database ``db`` against a baseline."""
    return compare(db, baseline, strict=strict, timeouts=timeouts)[2]


def _sourced(f: Finding, source: str, baseline_path: str) -> Finding:
    from dataclasses import replace

    if f.kind == "ignore.expired":
        return replace(f, source=source, file=baseline_path)
    return replace(f, source=source)


def diff(db_a: str, db_b: str, *, strict: bool = False) -> list[Finding]:
    """Findings of ``db_b`` against ``db_a`` as the expected side (staging vs production)."""
    with gc_paused(), sharing():
        a, b = _both(lambda: inspect(db_a), lambda: inspect(db_b))
    if a.dialect != b.dialect:
        raise UsageError(f"cannot diff {a.dialect} against {b.dialect}")
    return [_sourced(f, describe(db_b), "") for f in diff_schemas(a, b, strict=strict)]
