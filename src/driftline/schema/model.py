"""The dialect-neutral schema model: what a snapshot holds and a diff compares.

Everything is normalized on the way in (types, expressions, predicates), so two schemas compare
by plain equality; an index's ``fingerprint`` is its meaning without its name.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    nullable: bool = True
    default: str | None = None


@dataclass(frozen=True)
class Index:
    name: str
    columns: tuple[str, ...]  # normalized key columns or expressions, with " desc"/" nulls first"
    unique: bool = False
    where: str | None = None  # normalized partial-index predicate
    include: tuple[str, ...] = ()
    method: str | None = None  # None: the dialect's default (btree)
    valid: bool = True

    @property
    def fingerprint(self) -> tuple:
        return (self.columns, self.unique, self.where, self.include, self.method)


@dataclass(frozen=True)
class ForeignKey:
    name: str
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    name: str  # qualified where the dialect has schemas: public.ticket
    columns: dict[str, Column] = field(default_factory=dict)
    primary_key: tuple[str, ...] = ()
    indexes: dict[str, Index] = field(default_factory=dict)
    foreign_keys: dict[str, ForeignKey] = field(default_factory=dict)
    uniques: dict[str, tuple[str, ...]] = field(default_factory=dict)
    checks: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Schema:
    dialect: str
    server_version: str = ""
    tables: dict[str, Table] = field(default_factory=dict)
    views: dict[str, str] = field(default_factory=dict)
    sequences: tuple[str, ...] = ()
    extensions: tuple[str, ...] = ()
    #: object kinds found but not modelled: kind → names (triggers, policies, rules…)
    not_compared: dict[str, tuple[str, ...]] = field(default_factory=dict)
