"""One plan model for every dialect.

A :class:`PlanNode` has an operation class (:class:`Op`), the table it reads (the real table, never
the alias), the index, the join method, children, and metrics. A :class:`Plan` keeps three views:

* the **access set**: ``(table, op, index)`` for every node that reads a table;
* the **shape**: the canonical tree without costs, rows or aliases (hashed for quick equality);
* the **metrics**: cost, rows and timings, stored but never hashed.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any


class Op(enum.StrEnum):
    FULL_SCAN = "full_scan"  # sequential scan; a sample scan reads a table's pages too
    INDEX_SCAN = "index_scan"  # index lookup or range
    INDEX_ONLY = "index_only"
    BITMAP = "bitmap"  # bitmap heap/index pair, index merge, SQLite MULTI-INDEX OR
    PK_LOOKUP = "pk_lookup"
    ROW_ADDRESS = "row_address"  # rows fetched by their physical address (PostgreSQL ctid)
    FOREIGN = "foreign"  # a table of another server (foreign data wrapper)
    JOIN = "join"
    SORT = "sort"  # sort, temp B-tree, filesort, temporary table
    AGGREGATE = "aggregate"  # also DISTINCT (Unique) and window functions
    SET_OP = "set_op"  # INTERSECT/EXCEPT, recursive UNION
    APPEND = "append"  # UNION ALL, partitions
    MATERIALIZE = "materialize"  # materialize, memoize, CTE scan
    SUBPLAN = "subplan"
    SUBQUERY = "subquery"  # rows of a subquery, a recursive CTE's working table, a tuplestore
    FUNCTION = "function"  # rows from a function, VALUES, a table function, set-returning SELECT
    RESULT = "result"  # computed rows without a table (constant SELECT, one-time filter)
    LIMIT = "limit"
    LOCK = "lock"  # SELECT ... FOR UPDATE
    MODIFY = "modify"  # INSERT/UPDATE/DELETE/MERGE
    GATHER = "gather"  # parallel gather
    CUSTOM = "custom"  # an extension's own node
    OTHER = "other"


#: Operations that read a table.
ACCESS_OPS = frozenset(
    {
        Op.FULL_SCAN,
        Op.INDEX_SCAN,
        Op.INDEX_ONLY,
        Op.BITMAP,
        Op.PK_LOOKUP,
        Op.ROW_ADDRESS,
        Op.FOREIGN,
    }
)
#: Operations that read a table through an index (or a row address: as selective).
INDEXED_OPS = frozenset({Op.INDEX_SCAN, Op.INDEX_ONLY, Op.BITMAP, Op.PK_LOOKUP, Op.ROW_ADDRESS})


@dataclass
class PlanNode:
    op: Op
    label: str
    table: str | None = None
    index: str | None = None
    join: str | None = None
    children: list[PlanNode] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    #: Conditions and keys as the database prints them (index condition, filter, sort key...).
    detail: dict[str, str] = field(default_factory=dict)

    def walk(self) -> Iterator[PlanNode]:
        yield self
        for child in self.children:
            yield from child.walk()

    def indexes(self) -> list[str]:
        """Index names this node reads (a bitmap/index merge may read several)."""
        return [name for name in (self.index or "").split("+") if name]

    def shape(self) -> dict[str, Any]:
        data: dict[str, Any] = {"op": self.op.value, "label": self.label}
        for key in ("table", "index", "join"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        if self.children:
            data["children"] = [c.shape() for c in self.children]
        return data

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"op": self.op.value, "label": self.label}
        for key in ("table", "index", "join"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        if self.metrics:
            data["metrics"] = {k: _number(v) for k, v in sorted(self.metrics.items())}
        if self.detail:
            data["detail"] = dict(sorted(self.detail.items()))
        if self.children:
            data["children"] = [c.to_dict() for c in self.children]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlanNode:
        return cls(
            op=Op(data["op"]),
            label=str(data.get("label", data["op"])),
            table=data.get("table"),
            index=data.get("index"),
            join=data.get("join"),
            children=[cls.from_dict(c) for c in data.get("children") or []],
            metrics={k: float(v) for k, v in (data.get("metrics") or {}).items()},
            detail={str(k): str(v) for k, v in (data.get("detail") or {}).items()},
        )


@dataclass(frozen=True, order=True)
class Access:
    """One table read: which table, how, through which index."""

    table: str
    op: Op
    index: str | None = None

    def __str__(self) -> str:
        via = f" via {self.index}" if self.index else ""
        return f"{self.op.value} on {self.table}{via}"


@dataclass
class Plan:
    root: PlanNode
    metrics: dict[str, float] = field(default_factory=dict)

    def nodes(self) -> Iterator[PlanNode]:
        return self.root.walk()

    def access(self) -> list[Access]:
        found = [
            Access(n.table, n.op, n.index)
            for n in self.nodes()
            if n.op in ACCESS_OPS and n.table is not None
        ]
        return sorted(found, key=lambda a: (a.table, a.op.value, a.index or ""))

    def count(self, op: Op) -> int:
        return sum(1 for n in self.nodes() if n.op is op)

    def tables(self) -> set[str]:
        return {a.table for a in self.access()}

    def index_names(self) -> set[str]:
        return {name for n in self.nodes() if n.op in INDEXED_OPS for name in n.indexes()}

    def join_methods(self) -> list[str]:
        return sorted(n.join for n in self.nodes() if n.op is Op.JOIN and n.join)

    @property
    def cost(self) -> float | None:
        return self.metrics.get("cost", self.root.metrics.get("cost"))

    def shape_hash(self) -> str:
        text = json.dumps(self.root.shape(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def mark_primary(self, primary: set[str]) -> Plan:
        """Index lookups through a primary-key index become primary-key lookups."""
        for node in self.nodes():
            if node.op in (Op.INDEX_SCAN, Op.INDEX_ONLY) and node.index in primary:
                node.op = Op.PK_LOOKUP
        return self

    def to_dict(self) -> dict[str, Any]:
        return {
            "shape": self.shape_hash(),
            "access": [_access_dict(a) for a in self.access()],
            "metrics": {k: _number(v) for k, v in sorted(self.metrics.items())},
            "tree": self.root.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Plan:
        return cls(
            root=PlanNode.from_dict(data["tree"]),
            metrics={k: float(v) for k, v in (data.get("metrics") or {}).items()},
        )


def _access_dict(access: Access) -> dict[str, str]:
    data = {"table": access.table, "op": access.op.value}
    if access.index:
        data["index"] = access.index
    return data


def _number(value: float) -> float | int:
    """Integers stay integers in files; floats are rounded to keep diffs small."""
    if float(value).is_integer():
        return int(value)
    return round(float(value), 3)


def wrap(nodes: list[PlanNode], label: str) -> PlanNode:
    """One root for a list of top-level nodes."""
    if len(nodes) == 1:
        return nodes[0]
    return PlanNode(Op.OTHER, label, children=nodes)
