"""The hot queries, loaded from ``hot_queries.yaml`` (the same file plan baselines capture)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

from driftline.yamlfile import check_header, load_yaml

_RELATIVE = re.compile(r"^now(?:-(\d+)([smhd]))?$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class HotQuery:
    name: str
    sql: str
    sql_by_dialect: dict[str, str]

    def for_dialect(self, dialect: str) -> str:
        return self.sql_by_dialect.get(dialect, self.sql)


def hot_queries_file() -> Path:
    return Path(str(resources.files("reference_system") / "hot_queries.yaml"))


@functools.cache
def load_hot_queries() -> dict[str, HotQuery]:
    path = hot_queries_file()
    doc = load_yaml(path)
    data = check_header(doc, "queries")
    result = {}
    for i, item in enumerate(data.get("queries") or []):
        if not isinstance(item, dict) or "name" not in item or "sql" not in item:
            raise doc.error("each query needs 'name' and 'sql'", "queries", i)
        result[item["name"]] = HotQuery(
            item["name"], item["sql"].strip(), dict(item.get("sql_by_dialect") or {})
        )
    return result


def resolve_param(value: object, now: datetime | None = None) -> object:
    """``"now-7d"`` → a naive UTC datetime 7 days ago; anything else unchanged."""
    if isinstance(value, str):
        match = _RELATIVE.match(value)
        if match:
            now = now or datetime.now(UTC).replace(tzinfo=None)
            amount, unit = match.groups()
            return now - timedelta(seconds=int(amount or 0) * _UNITS.get(unit or "s", 1))
    return value
