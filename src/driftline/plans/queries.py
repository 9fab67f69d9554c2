"""The queries file: named queries with SQL, parameter sets and plan expectations.

```yaml
driftline: 1
kind: queries
queries:
  - name: dispatch_pickup
    description: one line
    sql: SELECT ... WHERE changed_at >= :since LIMIT :batch   # SQLAlchemy text() named params
    sql_by_dialect: {sqlite: SELECT ...}                       # optional override per dialect
    params: [{since: "now-7d", batch: 50}]   # literals; "now-<N><s|m|h|d>" = relative timestamp
    critical_tables: [ticket_status_log]
    min_rows: 10000
    expect: {must_use_index: ix_ticket_status_log_status_changed, max_cost: 1000}
    # must_use_index may also list acceptable alternatives: [ix_a, ix_b]
  - name: by_customer
    sql: SELECT id FROM ticket WHERE customer_id = $1   # generic: $n without values
    generic: true                            # PostgreSQL explains its generic plan
```

Every problem is an :class:`InputFileError` naming the file and the line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from driftline import dialects
from driftline.yamlfile import YamlDoc, check_header, load_yaml, parse_yaml

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_RELATIVE = re.compile(r"^now(?:-(\d+)([smhd]))?$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
#: ``:name`` binds as SQLAlchemy's text() sees them (not ``::cast``, not ``\:``).
_BIND = re.compile(r"(?<![:\w\\]):(\w+)(?!:)")
_QUERY_KEYS = {
    "name",
    "description",
    "sql",
    "sql_by_dialect",
    "params",
    "critical_tables",
    "min_rows",
    "expect",
    "generic",
}
_EXPECT_KEYS = {"must_use_index", "max_cost"}


@dataclass(frozen=True)
class Expectation:
    """What a query's plan must satisfy: an index it must use, a cost it must stay under.

    ``must_use_index`` may list acceptable alternatives (``[ix_a, ix_b]``: either will do); the
    first is the one a fix restores."""

    must_use_index: str | None = None
    max_cost: float | None = None
    alternatives: tuple[str, ...] = ()

    @property
    def indexes(self) -> tuple[str, ...]:
        """Every acceptable index, the preferred one first."""
        return (self.must_use_index, *self.alternatives) if self.must_use_index else ()

    def to_dict(self) -> dict[str, Any]:
        index: str | list[str] | None = self.must_use_index
        if self.alternatives:
            index = list(self.indexes)
        data = {"must_use_index": index, "max_cost": self.max_cost}
        return {k: v for k, v in data.items() if v is not None}


@dataclass(frozen=True)
class Query:
    name: str
    sql: str
    description: str = ""
    sql_by_dialect: Mapping[str, str] = field(default_factory=dict)
    params: tuple[Mapping[str, Any], ...] = ({},)
    critical_tables: tuple[str, ...] = ()
    min_rows: int | None = None
    expect: Expectation = Expectation()
    line: int | None = None
    #: ``$n`` parameters without values (as pg_stat_statements keeps statements): the generic
    #: plan is explained (PostgreSQL only).
    generic: bool = False

    def sql_for(self, dialect: str) -> str:
        return self.sql_by_dialect.get(dialect, self.sql)

    def to_dict(self) -> dict[str, Any]:
        """The query as it is embedded in a plan capture (deterministic key order)."""
        data: dict[str, Any] = {"name": self.name}
        if self.description:
            data["description"] = self.description
        data["sql"] = self.sql
        if self.sql_by_dialect:
            data["sql_by_dialect"] = dict(sorted(self.sql_by_dialect.items()))
        data["params"] = [dict(p) for p in self.params]
        if self.critical_tables:
            data["critical_tables"] = list(self.critical_tables)
        if self.min_rows is not None:
            data["min_rows"] = self.min_rows
        if self.expect.to_dict():
            data["expect"] = self.expect.to_dict()
        if self.generic:
            data["generic"] = True
        return data


@dataclass(frozen=True)
class QueryFile:
    path: str
    queries: tuple[Query, ...]

    def by_name(self) -> dict[str, Query]:
        return {q.name: q for q in self.queries}


def resolve_value(value: Any, now: datetime | None = None) -> Any:
    """``"now-7d"`` → a naive UTC datetime seven days ago; any other value unchanged."""
    if isinstance(value, str):
        match = _RELATIVE.match(value.strip())
        if match:
            now = now or datetime.now(UTC).replace(tzinfo=None)
            amount, unit = match.groups()
            return now - timedelta(seconds=int(amount or 0) * _UNITS[unit or "s"])
    return value


def resolve_params(params: Mapping[str, Any], now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC).replace(tzinfo=None)
    return {k: resolve_value(v, now) for k, v in params.items()}


def bind_names(sql: str) -> set[str]:
    """Named parameters a SQL text uses (``:since`` → ``since``)."""
    return set(_BIND.findall(sql))


def _string_list(doc: YamlDoc, value: Any, *keys: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise doc.error(f"'{keys[-1]}' must be a list of names", *keys)
    return tuple(value)


def _expectation(doc: YamlDoc, value: Any, *keys: Any) -> Expectation:
    if value is None:
        return Expectation()
    if not isinstance(value, dict):
        raise doc.error("'expect' must be a mapping (must_use_index, max_cost)", *keys)
    unknown = sorted(set(value) - _EXPECT_KEYS)
    if unknown:
        raise doc.error(
            f"unknown expectation '{unknown[0]}' (choose from {', '.join(sorted(_EXPECT_KEYS))})",
            *keys,
            unknown[0],
        )
    index = value.get("must_use_index")
    names = index if isinstance(index, list) else [index] if index is not None else []
    if (index is not None and not names) or not all(isinstance(n, str) and n for n in names):
        raise doc.error(
            "'must_use_index' must be an index name or a list of acceptable ones",
            *keys,
            "must_use_index",
        )
    cost = value.get("max_cost")
    if cost is not None and (isinstance(cost, bool) or not isinstance(cost, int | float)):
        raise doc.error("'max_cost' must be a number", *keys, "max_cost")
    return Expectation(
        names[0] if names else None,
        float(cost) if cost is not None else None,
        tuple(names[1:]),
    )


def _params(doc: YamlDoc, value: Any, sqls: list[str], *keys: Any) -> tuple[dict, ...]:
    if value is None:
        value = [{}]
    if not isinstance(value, list) or not value:
        raise doc.error("'params' must be a non-empty list of parameter sets", *keys)
    needed = set().union(*(bind_names(sql) for sql in sqls))
    result = []
    for i, item in enumerate(value):
        if not isinstance(item, dict) or not all(isinstance(k, str) for k in item):
            raise doc.error("each parameter set must be a mapping of names to values", *keys, i)
        for name, literal in item.items():
            if isinstance(literal, dict | list):
                raise doc.error(f"parameter '{name}' must be a literal", *keys, i, name)
        missing = sorted(needed - set(item))
        if missing:
            raise doc.error(f"parameter set lacks ':{missing[0]}' used by the SQL", *keys, i)
        result.append(dict(item))
    return tuple(result)


def _query(doc: YamlDoc, item: Any, i: int) -> Query:
    at = ("queries", i)
    if not isinstance(item, dict):
        raise doc.error("each query must be a mapping with 'name' and 'sql'", *at)
    unknown = sorted(set(item) - _QUERY_KEYS)
    if unknown:
        raise doc.error(
            f"unknown key '{unknown[0]}' (choose from {', '.join(sorted(_QUERY_KEYS))})",
            *at,
            unknown[0],
        )
    name = item.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise doc.error("'name' must be an identifier (letters, digits, _ . -)", *at, "name")
    sql = item.get("sql")
    if not isinstance(sql, str) or not sql.strip():
        raise doc.error(f"query '{name}' needs 'sql'", *at, "sql")
    overrides = item.get("sql_by_dialect") or {}
    if not isinstance(overrides, dict):
        raise doc.error("'sql_by_dialect' must map dialects to SQL", *at, "sql_by_dialect")
    by_dialect: dict[str, str] = {}
    for key, text in overrides.items():
        if str(key).lower() not in dialects.ALIASES:
            raise doc.error(
                f"unknown dialect '{key}' (choose from {', '.join(dialects.DIALECTS)})",
                *at,
                "sql_by_dialect",
                key,
            )
        if not isinstance(text, str) or not text.strip():
            raise doc.error(f"SQL for '{key}' must be text", *at, "sql_by_dialect", key)
        by_dialect[dialects.get(str(key)).name] = text.strip()
    min_rows = item.get("min_rows")
    if min_rows is not None and (
        isinstance(min_rows, bool) or not isinstance(min_rows, int) or min_rows < 0
    ):
        raise doc.error("'min_rows' must be a whole number >= 0", *at, "min_rows")
    generic = _flag(doc, item.get("generic", False), *at, "generic")
    description = item.get("description") or ""
    if not isinstance(description, str):
        raise doc.error("'description' must be text", *at, "description")
    return Query(
        name=name,
        sql=sql.strip(),
        description=description.strip(),
        sql_by_dialect=by_dialect,
        params=_params(
            doc, item.get("params"), [] if generic else [sql, *by_dialect.values()], *at, "params"
        ),
        critical_tables=_string_list(
            doc, item.get("critical_tables") or [], *at, "critical_tables"
        ),
        min_rows=min_rows,
        expect=_expectation(doc, item.get("expect"), *at, "expect"),
        line=doc.line(*at),
        generic=generic,
    )


def _flag(doc: YamlDoc, value: Any, *keys: Any) -> bool:
    if not isinstance(value, bool):
        raise doc.error(f"'{keys[-1]}' must be true or false", *keys)
    return value


def queries_from_doc(doc: YamlDoc) -> QueryFile:
    data = check_header(doc, "queries")
    items = data.get("queries")
    if not isinstance(items, list) or not items:
        raise doc.error("'queries' must be a non-empty list", "queries")
    queries: list[Query] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        query = _query(doc, item, i)
        if query.name in seen:
            raise doc.error(f"query '{query.name}' is listed twice", "queries", i, "name")
        seen.add(query.name)
        queries.append(query)
    return QueryFile(doc.path, tuple(queries))


def load_queries(path: str | Path) -> QueryFile:
    """Read and validate a queries file."""
    return queries_from_doc(load_yaml(path))


def parse_queries(text: str, path: str = "<string>") -> QueryFile:
    return queries_from_doc(parse_yaml(text, path))
