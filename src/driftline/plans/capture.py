"""Capture the plans of a queries file from a live database, and read/write capture files.

A capture file is versioned, deterministic YAML (``driftline: 1``, ``kind: plans``): the queries
as they were captured, one plan per parameter set (shape hash, access set, metrics, tree), and the
catalog of the tables the plans touch (row counts and index definitions, so a later check can name
a vanished index and print the DDL that restores it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

from driftline import dialects
from driftline.db import (
    Timeouts,
    canonical_dialect,
    database_error,
    describe,
    make_engine,
    parse_url,
    read_only,
    server_version,
)
from driftline.errors import BaselineError, InputFileError, UsageError
from driftline.plans import sqlite
from driftline.plans.aliases import alias_map
from driftline.plans.catalog import Catalog
from driftline.plans.catalog import read as read_catalog
from driftline.plans.evidence import median_run
from driftline.plans.model import Plan
from driftline.plans.queries import Query, QueryFile, queries_from_doc, resolve_params
from driftline.yamlfile import YamlDoc, check_header, load_yaml


@dataclass
class QueryPlans:
    query: Query
    plans: list[Plan]

    def to_dict(self) -> dict[str, Any]:
        data = self.query.to_dict()
        data["plans"] = [
            {"params": dict(params), **plan.to_dict()}
            for params, plan in zip(self.query.params, self.plans, strict=True)
        ]
        return data


@dataclass
class Capture:
    dialect: str
    server_version: str
    source: str
    queries: dict[str, QueryPlans]
    catalog: Catalog
    captured_at: str = ""
    analyze: bool = False
    metadata: dict[str, Any] = field(default_factory=dict)
    path: str | None = None
    #: The planner cost settings the plans were made under (see ``plans.evidence``).
    settings: dict[str, str] = field(default_factory=dict)
    #: The file the query definitions (and their line numbers) come from.
    queries_path: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "driftline": 1,
            "kind": "plans",
            "dialect": self.dialect,
            "server_version": self.server_version,
            "source": self.source,
            "captured_at": self.captured_at,
            "analyze": self.analyze,
        }
        if self.settings:
            data["settings"] = dict(sorted(self.settings.items()))
        if self.metadata:
            data["metadata"] = self.metadata
        data["tables"] = self.catalog.to_dict()
        data["queries"] = [q.to_dict() for q in self.queries.values()]
        return data

    def dump(self) -> str:
        return yaml.dump(self.to_dict(), Dumper=_Dumper, sort_keys=False, width=100)

    def save(self, path: str | Path) -> Path:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.dump(), encoding="utf-8")
        return target

    def query_file(self) -> QueryFile:
        return QueryFile(self.path or self.source, tuple(q.query for q in self.queries.values()))


class _Dumper(yaml.SafeDumper):
    """Safe YAML with multi-line strings (SQL) as literal blocks: readable diffs."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _engine(url: str) -> sa.Engine:
    parsed = parse_url(url)
    if dialects.of(parsed) is dialects.SQLITE:
        return sqlite.make_engine(parsed)
    return make_engine(parsed)


def capture(
    url: str,
    queries: QueryFile | Sequence[Query],
    *,
    analyze: bool = False,
    runs: int = 1,
    timeouts: Timeouts | None = None,
    extra_tables: set[str] | frozenset[str] = frozenset(),
    metadata: Mapping[str, Any] | None = None,
    skip_failed: bool = False,
) -> Capture:
    """EXPLAIN every query with every parameter set, read-only, and record the catalog.

    ``analyze`` runs the statements (EXPLAIN ANALYZE) ``runs`` times inside the same read-only
    transaction, which is always rolled back, and keeps the plan of the median run. SQLite is
    read on a fresh connection without statement cache. ``skip_failed`` leaves out a query the
    server cannot explain (named in the metadata under ``skipped``) instead of failing.
    """
    if runs < 1:
        raise UsageError("--runs must be at least 1")
    query_file = (
        queries if isinstance(queries, QueryFile) else QueryFile("<queries>", tuple(queries))
    )
    engine = _engine(url)
    dialect = canonical_dialect(engine.dialect.name)
    module = dialects.get(dialect).plans
    result: dict[str, QueryPlans] = {}
    skipped: dict[str, str] = {}
    try:
        with read_only(engine, timeouts) as conn:
            version = server_version(conn)
            settings = module.planner_settings(conn)
            for query in query_file.queries:
                sql = query.sql_for(dialect)
                aliases = alias_map(sql, dialect)
                plans = []
                for params in query.params:
                    bound = resolve_params(params)
                    try:
                        if query.generic:
                            plans.append(_generic(module, conn, sql))
                            continue
                        tries = [
                            module.explain(conn, sql, bound, analyze=analyze, aliases=aliases)
                            for _ in range(runs if analyze else 1)
                        ]
                        plans.append(median_run(tries))
                    except sa.exc.DBAPIError as exc:
                        what = f"{query_file.path}:{query.line}: query '{query.name}'"
                        mapped = database_error(engine.url, exc, timeouts, what)
                        if mapped is not exc:
                            raise mapped from None
                        first = str(exc.orig or exc).strip().splitlines()[0]
                        if skip_failed:
                            skipped[query.name] = first
                            break
                        raise InputFileError(
                            query_file.path, f"query '{query.name}' failed: {first}", query.line
                        ) from None
                if query.name not in skipped:
                    result[query.name] = QueryPlans(query, plans)
            touched = set(extra_tables) | {t for q in query_file.queries for t in q.critical_tables}
            touched |= {t for qp in result.values() for p in qp.plans for t in p.tables()}
            catalog = read_catalog(conn, dialect, version, touched)
    finally:
        engine.dispose()
    primary = catalog.primary_indexes()
    for qp in result.values():
        for plan in qp.plans:
            plan.mark_primary(primary)
    return Capture(
        dialect=dialect,
        server_version=version,
        source=describe(engine.url),
        queries=result,
        catalog=catalog,
        captured_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        analyze=analyze,
        metadata={**(metadata or {}), **({"skipped": skipped} if skipped else {})},
        queries_path=None if query_file.path.startswith("<") else query_file.path,
        settings=settings,
    )


def _generic(module: Any, conn: sa.Connection, sql: str) -> Plan:
    """The generic plan of a statement with ``$n`` parameters (PostgreSQL)."""
    explain_generic = getattr(module, "explain_generic", None)
    if explain_generic is None:
        raise UsageError("generic queries ($n parameters) are explained on PostgreSQL only")
    return module.parse(explain_generic(conn, sql))


def _plans(doc: YamlDoc, item: Any, i: int, query: Query) -> list[Plan]:
    raw = item.get("plans")
    if not isinstance(raw, list) or len(raw) != len(query.params):
        raise doc.error(
            f"query '{query.name}' needs one plan per parameter set", "queries", i, "plans"
        )
    plans = []
    for j, entry in enumerate(raw):
        try:
            plans.append(Plan.from_dict(entry))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise doc.error(
                f"malformed plan of query '{query.name}': {exc}", "queries", i, "plans", j
            ) from None
    return plans


def capture_from_doc(doc: YamlDoc) -> Capture:
    try:
        data = check_header(doc, "plans")
    except InputFileError as exc:
        raise BaselineError(doc.path, exc.message.split(": ", 1)[-1], exc.line) from None
    dialect = data.get("dialect")
    if dialect not in dialects.DIALECTS:
        raise BaselineError(doc.path, f"unknown dialect {dialect!r}", doc.line("dialect"))
    items = data.get("queries")
    if not isinstance(items, list):
        raise BaselineError(doc.path, "'queries' must be a list", doc.line("queries"))
    # The query definitions are validated exactly like a queries file.
    definitions = [
        {k: v for k, v in item.items() if k != "plans"} if isinstance(item, dict) else item
        for item in items
    ]
    query_doc = YamlDoc(
        doc.path, {"driftline": 1, "kind": "queries", "queries": definitions}, doc.text
    )
    query_file = queries_from_doc(query_doc) if definitions else QueryFile(doc.path, ())
    queries = {
        q.name: QueryPlans(q, _plans(doc, items[i], i, q)) for i, q in enumerate(query_file.queries)
    }
    tables = data.get("tables") or {}
    if not isinstance(tables, dict):
        raise BaselineError(doc.path, "'tables' must be a mapping", doc.line("tables"))
    settings = data.get("settings") or {}
    if not isinstance(settings, dict):
        raise BaselineError(doc.path, "'settings' must be a mapping", doc.line("settings"))
    return Capture(
        dialect=dialect,
        server_version=str(data.get("server_version") or ""),
        source=str(data.get("source") or doc.path),
        queries=queries,
        catalog=Catalog.from_dict(tables),
        captured_at=str(data.get("captured_at") or ""),
        analyze=bool(data.get("analyze")),
        metadata=dict(data.get("metadata") or {}),
        path=doc.path,
        queries_path=doc.path,
        settings={str(k): str(v) for k, v in settings.items()},
    )


def load_capture(path: str | Path) -> Capture:
    """Read a capture (plan baseline) file."""
    return capture_from_doc(load_yaml(path))
