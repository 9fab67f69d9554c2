"""Plans from where DBAs already have them: PostgreSQL server logs written by ``auto_explain``.

auto_explain logs ``LOG:  duration: 12.3 ms  plan:`` and then the plan on continuation lines that
start with a tab, in text (``Query Text: …`` first) or JSON (``auto_explain.log_format = json``).
:func:`read_log` finds every such entry in a log whatever its ``log_line_prefix``, and
:func:`captures_by_day` turns them into one capture per day of the log's timestamps, so two days
can be compared with ``plan diff``. A statement is named by its text with literals masked, so the
same statement with other values is the same query; of its runs on one day the plan of the
median duration is kept. Imported captures know no row counts or indexes (a log has none).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from driftline.errors import InputFileError
from driftline.plans import pgtext, postgresql
from driftline.plans.capture import Capture, QueryPlans
from driftline.plans.catalog import Catalog
from driftline.plans.evidence import median_run
from driftline.plans.model import Plan
from driftline.plans.queries import Query

_ENTRY = re.compile(r"^(?P<prefix>.*?)LOG:\s+duration: (?P<ms>[\d.]+) ms\s+plan:\s*$")
_DAY = re.compile(r"(\d{4}-\d{2}-\d{2})[ T]\d{2}:\d{2}:\d{2}")
_LITERAL = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")


@dataclass(frozen=True)
class Entry:
    """One logged plan."""

    day: str  # YYYY-MM-DD, or "undated" when the log line carries no timestamp
    duration_ms: float
    query: str
    plan: Plan
    line: int


def _statement(body: str, path: str, line: int) -> tuple[str, Plan]:
    """The query text and plan of one entry whose ``LOG:`` line is ``line`` of ``path``."""
    if body.lstrip().startswith("{"):
        try:
            data = json.loads(body)
        except json.JSONDecodeError as exc:
            where = line + exc.lineno
            raise InputFileError(path, f"auto_explain JSON plan: {exc.msg}", where) from None
        return str(data.get("Query Text") or "").strip(), postgresql.parse([data])
    # The query text may span lines; the plan starts at the first line with its costs.
    lines = body.splitlines()
    start = next((i for i, text in enumerate(lines) if "(cost=" in text), 0)
    query = "\n".join(lines[:start]).removeprefix("Query Text:").strip()
    try:
        return query, pgtext.parse("\n".join(lines[start:]))
    except ValueError as exc:
        raise InputFileError(path, f"auto_explain text plan: {exc}", line) from None


def read_log(path: str | Path) -> Iterator[Entry]:
    """Every auto_explain entry of one log file, in order."""
    name = str(path)
    try:
        lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as exc:
        raise InputFileError(name, exc.strerror or str(exc)) from None
    i = 0
    while i < len(lines):
        match = _ENTRY.match(lines[i])
        if not match:
            i += 1
            continue
        start = i + 1
        body: list[str] = []
        i += 1
        while i < len(lines) and lines[i].startswith("\t"):
            body.append(lines[i][1:])
            i += 1
        day = _DAY.search(match["prefix"])
        query, plan = _statement("\n".join(body), name, start)
        plan.metrics["actual_ms"] = float(match["ms"])
        yield Entry(day[1] if day else "undated", float(match["ms"]), query, plan, start)


def query_name(sql: str) -> str:
    """A stable name for a statement: its text with literals masked and spaces collapsed."""
    masked = " ".join(_LITERAL.sub("?", sql).split())
    return "q_" + hashlib.sha256(masked.encode()).hexdigest()[:12]


def captures_by_day(entries: Iterable[Entry], source: str) -> dict[str, Capture]:
    """One capture per day; per statement the plan of its median run that day."""
    grouped: dict[str, dict[str, list[Entry]]] = {}
    for entry in entries:
        grouped.setdefault(entry.day, {}).setdefault(query_name(entry.query), []).append(entry)
    captures = {}
    for day, by_name in sorted(grouped.items()):
        queries = {}
        for name, runs in sorted(by_name.items()):
            plan = median_run([r.plan for r in runs])
            first = runs[0]
            query = Query(
                name,
                first.query or "-- (auto_explain logged no query text)",
                description=f"{len(runs)} logged run(s), first at line {first.line}",
                generic=True,  # logged with its values: explained as written, nothing to bind
            )
            queries[name] = QueryPlans(query, [plan])
        captures[day] = Capture(
            dialect="postgresql",
            server_version="",
            source=source,
            queries=queries,
            catalog=Catalog({}),
            captured_at=day,
            analyze=any(p.plans[0].root.metrics.get("loops") is not None for p in queries.values()),
            metadata={"imported_from": "auto_explain", "day": day},
        )
    return captures


def import_logs(paths: Iterable[str | Path], out_dir: str | Path) -> list[Path]:
    """Read auto_explain logs and write ``<out_dir>/<day>.yaml`` per day; return the files."""
    files = [str(p) for p in paths]
    entries = [entry for path in files for entry in read_log(path)]
    if not entries:
        raise InputFileError(
            ", ".join(files), "no auto_explain plans found (LOG: duration: … plan:)"
        )
    written = []
    for day, capture in captures_by_day(entries, ", ".join(files)).items():
        written.append(capture.save(Path(out_dir) / f"{day}.yaml"))
    return written


__all__ = ["Entry", "captures_by_day", "import_logs", "query_name", "read_log"]
