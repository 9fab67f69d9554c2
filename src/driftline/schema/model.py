"""The dialect-neutral schema model: what a snapshot holds and a diff compares.

Everything is normalized on the way in (types, expressions, predicates), so two schemas compare
by plain equality; an index's ``fingerprint`` is its meaning without its name. Defaults of every
optional field mean "the database's default", so baselines stay short.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str
    nullable: bool = True
    default: str | None = None
    collation: str | None = None  # None: the type's (or table's) default collation
    identity: str | None = None  # "always" | "by default" (GENERATED … AS IDENTITY)
    generated: str | None = None  # expression of a stored generated column


#: equal columns built inside :func:`sharing`, by their fields (None: not sharing)
_shared: dict[tuple, Column] | None = None


@contextlib.contextmanager
def sharing() -> Iterator[None]:
    """Inside, :func:`column` gives one object for equal columns: a big schema repeats a few
    columns (``id bigint not null``) thousands of times, and two schemas that share them compare
    equal by identity. Left, the objects are forgotten (not the schemas that hold them)."""
    global _shared
    outer = _shared is None
    if outer:
        _shared = {}
    try:
        yield
    finally:
        if outer:
            _shared = None


def column(*fields: object) -> Column:
    """``Column(*fields)``, the same object as an equal one built before inside :func:`sharing`."""
    memo = _shared
    if memo is None:
        return Column(*fields)  # type: ignore[arg-type]
    found = memo.get(fields)
    if found is None:
        found = memo[fields] = Column(*fields)  # type: ignore[arg-type]
    return found


@dataclass(frozen=True, slots=True)
class Index:
    name: str
    columns: tuple[str, ...]  # normalized key columns or expressions, with " desc"/" nulls first"
    unique: bool = False
    where: str | None = None  # normalized partial-index predicate
    include: tuple[str, ...] = ()
    method: str | None = None  # None: the dialect's default (btree)
    valid: bool = True
    #: per key column: non-default operator class and/or collation ("" for none); () when none
    key_options: tuple[str, ...] = ()

    @property
    def fingerprint(self) -> tuple:
        return (self.columns, self.unique, self.where, self.include, self.method, self.key_options)


@dataclass(frozen=True, slots=True)
class ForeignKey:
    name: str
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    on_delete: str | None = None  # None: NO ACTION; else "cascade", "restrict", "set null", …
    on_update: str | None = None
    deferrable: str | None = None  # "deferrable" | "deferrable initially deferred"
    valid: bool = True  # False: added NOT VALID and never validated

    @property
    def behaviour(self) -> tuple:
        """What the key does beyond pointing at its target."""
        return (self.on_delete, self.on_update, self.deferrable, self.valid)

    @property
    def clauses(self) -> tuple[str, ...]:
        """Its actions and deferrability as SQL words, lower case (``on delete cascade``)."""
        words = (
            f"on delete {self.on_delete}" if self.on_delete else "",
            f"on update {self.on_update}" if self.on_update else "",
            self.deferrable or "",
        )
        return tuple(w for w in words if w)


@dataclass(frozen=True, slots=True)
class Table:
    name: str  # qualified where the dialect has schemas: public.ticket
    columns: dict[str, Column] = field(default_factory=dict)
    primary_key: tuple[str, ...] = ()
    indexes: dict[str, Index] = field(default_factory=dict)
    foreign_keys: dict[str, ForeignKey] = field(default_factory=dict)
    uniques: dict[str, tuple[str, ...]] = field(default_factory=dict)
    checks: dict[str, str] = field(default_factory=dict)
    #: CHECK constraints added NOT VALID and never validated (names in ``checks``)
    checks_not_valid: tuple[str, ...] = ()
    #: table-level settings: unlogged, row_security, partition_by, partition_of, engine, strict…
    options: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Sequence:
    name: str
    type: str = "bigint"
    start: int = 1
    increment: int = 1
    min_value: int | None = None  # None: the type's default bound
    max_value: int | None = None
    cycle: bool = False
    owned_by: str | None = None  # table.column whose drop drops the sequence


@dataclass(frozen=True, slots=True)
class Schema:
    dialect: str
    server_version: str = ""
    tables: dict[str, Table] = field(default_factory=dict)
    views: dict[str, str] = field(default_factory=dict)
    sequences: dict[str, Sequence] = field(default_factory=dict)
    extensions: dict[str, str] = field(default_factory=dict)  # name → version ("" unknown)
    materialized_views: dict[str, str] = field(default_factory=dict)
    #: object kinds found but not modelled: kind → names (functions, triggers, policies…)
    not_compared: dict[str, tuple[str, ...]] = field(default_factory=dict)
