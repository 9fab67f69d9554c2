"""The schema as it stands at one line of a migration: the baseline, then each statement applied.

Built from the shared catalog model (:mod:`driftline.schema.model`) of a baseline; names are
kept as the catalog spells them and looked up the way the server folds identifiers
(:meth:`LintDialect.fold`), so ``"ORDERS_STATUS_IDX"`` is not ``orders_status_idx`` on
PostgreSQL. Rules read the state *before* a statement; :mod:`driftline.lint.effects` then applies
the statement to it.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from driftline.lint.dialect import LintDialect
from driftline.schema.model import Index, Schema, Table

_ORDERING = re.compile(r"\s+(asc|desc|nulls\s+first|nulls\s+last)\b.*$", re.I)
_PLAIN = re.compile(r'^"?([A-Za-z_][\w$]*)"?$')


def bare(name: str) -> str:
    """``public.ticket`` → ``ticket``: the last dotted part, without quotes."""
    return name.strip().rsplit(".", 1)[-1].strip('"`[]')


def key_column(key: str) -> str | None:
    """The column an index key names (``changed_at desc`` → ``changed_at``), None for an
    expression."""
    m = _PLAIN.match(_ORDERING.sub("", key.strip()))
    return m.group(1) if m else None


@dataclass
class Routine:
    """A function or procedure created in the file: its body runs where it is called."""

    name: str
    body: str
    line: int  # file line of the body's first line
    #: parameter names in order (``$1``, ``$2``… for unnamed ones)
    params: tuple[str, ...] = ()


@dataclass
class State:
    dialect: LintDialect
    path: str = ""  # the baseline's path, for messages
    has_baseline: bool = False
    #: key → table, as the catalog names it (bare, without schema)
    tables: dict[str, Table] = field(default_factory=dict)
    #: index key → table key
    index_owner: dict[str, str] = field(default_factory=dict)
    critical_indexes: set[str] = field(default_factory=set)
    critical_tables: set[str] = field(default_factory=set)
    #: tables whose primary key is marked critical
    critical_keys: set[str] = field(default_factory=set)
    large_tables: set[str] = field(default_factory=set)
    #: table key → the baseline's key, for tables renamed in the file
    origin: dict[str, str] = field(default_factory=dict)
    #: tables and indexes that the file itself created (new since the baseline)
    created_tables: set[str] = field(default_factory=set)
    created_indexes: set[str] = field(default_factory=set)
    #: tables neither the baseline nor the file defines, known only from indexes made on them
    unknown_tables: set[str] = field(default_factory=set)
    #: the baseline's own definition of every critical index, to restore it
    critical_defs: dict[str, tuple[str, Index]] = field(default_factory=dict)
    routines: dict[str, Routine] = field(default_factory=dict)
    #: the baseline as read, for fixes that name objects exactly as the baseline does
    schema: Schema | None = None
    lock_timeout: bool = False

    # -- lookups -----------------------------------------------------------------------------
    def key(self, name: str, quoted: bool = False) -> str:
        return self.dialect.fold(bare(name), quoted)

    def table(self, key: str) -> Table | None:
        return self.tables.get(key)

    @property
    def every_table_large(self) -> bool:
        """``--large-table '*'``: every table the file did not create holds data."""
        return "*" in self.large_tables

    def baseline_table(self, key: str) -> str | None:
        """The baseline's name of the table now called ``key``, if it existed before the file
        (from the baseline, or any table not created here under ``--large-table '*'``)."""
        if key in self.created_tables:
            return None
        known = key in self.tables and key not in self.unknown_tables
        if known or self.every_table_large:
            return self.origin.get(key, key)
        return None

    def is_big(self, key: str) -> bool:
        """A table whose lock or rewrite hurts: from the baseline (or named large), not new."""
        source = self.baseline_table(key)
        return source is not None or (key in self.large_tables and key not in self.created_tables)

    def index(self, key: str, table: str | None = None) -> tuple[str, Index] | None:
        """``(table key, index)`` of the index ``key`` (on ``table`` when the dialect scopes
        index names per table)."""
        owner = table if table is not None and table in self.tables else self.index_owner.get(key)
        if owner is None or owner not in self.tables:
            return None
        found = self.tables[owner].indexes.get(key)
        return (owner, found) if found is not None else None

    def fk_served_only_by(self, table: str, index: str) -> tuple[str, ...] | None:
        """The foreign-key columns that only the index ``index`` serves (as leading columns)."""
        spec = self.tables.get(table)
        if spec is None or index not in spec.indexes:
            return None
        lead = [key_column(k) for k in spec.indexes[index].columns]
        for fk in spec.foreign_keys.values():
            cols = tuple(self.dialect.key(c) for c in fk.columns)
            if tuple(lead[: len(cols)]) != cols:
                continue
            others = [
                n
                for n, ix in spec.indexes.items()
                if n != index and tuple(key_column(k) for k in ix.columns[: len(cols)]) == cols
            ]
            if not others and tuple(spec.primary_key[: len(cols)]) != cols:
                return cols
        return None

    def column_users(self, table: str, column: str) -> list[str]:
        """Indexes and constraints of ``table`` that use ``column``."""
        spec = self.tables.get(table)
        if spec is None:
            return []
        used = [
            f"index {n}"
            for n, ix in spec.indexes.items()
            if column in {key_column(k) for k in ix.columns}
            or any(re.search(rf"\b{re.escape(column)}\b", k) for k in ix.columns)
        ]
        if column in spec.primary_key:
            used.append("the primary key")
        used += [f"foreign key {n}" for n, fk in spec.foreign_keys.items() if column in fk.columns]
        used += [f"unique constraint {n}" for n, cols in spec.uniques.items() if column in cols]
        used += [
            f"check {n}"
            for n, text in spec.checks.items()
            if re.search(rf"\b{re.escape(column)}\b", text)
        ]
        return used

    def copy(self) -> State:
        """An independent copy (tables are immutable values, so containers suffice)."""
        return dataclasses.replace(
            self,
            tables=dict(self.tables),
            index_owner=dict(self.index_owner),
            origin=dict(self.origin),
            created_tables=set(self.created_tables),
            created_indexes=set(self.created_indexes),
            unknown_tables=set(self.unknown_tables),
            critical_defs=dict(self.critical_defs),
            routines=dict(self.routines),
        )

    def settle(self) -> None:
        """Take everything applied so far as deployed: what earlier files created now holds
        data (linting a migration history file by file, each against the schema before it)."""
        self.has_baseline = True
        self.created_tables.clear()
        self.created_indexes.clear()
        self.origin.clear()
        for name in self.critical_indexes:
            found = self.index(name)
            if found is not None and name not in self.critical_defs:
                self.critical_defs[name] = found

    def as_baseline(self, table: str, index: Index) -> tuple[str, Index]:
        """``(qualified table, index)`` as the baseline writes them, for a fix to name."""
        for qualified, spec in (self.schema.tables if self.schema else {}).items():
            if self.key(qualified) != table:
                continue
            for name, original in spec.indexes.items():
                if self.dialect.key(name) == index.name:
                    return qualified, original
        return table, index

    # -- changes -----------------------------------------------------------------------------
    def put_table(self, table: Table, *, created: bool = False) -> None:
        self.tables[table.name] = table
        for name in table.indexes:
            self.index_owner[name] = table.name
        if created:
            self.created_tables.add(table.name)

    def replace_table(self, key: str, **changes: object) -> None:
        self.tables[key] = dataclasses.replace(self.tables[key], **changes)  # type: ignore[arg-type]

    def drop_table(self, key: str) -> None:
        spec = self.tables.pop(key, None)
        if spec is not None:
            for name in spec.indexes:
                if self.index_owner.get(name) == key:
                    del self.index_owner[name]
        self.origin.pop(key, None)
        self.created_tables.discard(key)
        self.unknown_tables.discard(key)

    def rename_table(self, old: str, new: str) -> None:
        spec = self.tables.pop(old, None)
        if spec is not None:
            self.tables[new] = dataclasses.replace(spec, name=new)
            for name in spec.indexes:
                self.index_owner[name] = new
        if spec is None and not self.every_table_large:
            return
        if old in self.created_tables:
            self.created_tables.discard(old)
            self.created_tables.add(new)
        else:
            self.origin[new] = self.origin.pop(old, old)
        if old in self.unknown_tables:
            self.unknown_tables.discard(old)
            self.unknown_tables.add(new)

    def put_index(self, table: str, index: Index, *, created: bool = True) -> None:
        spec = self.tables.get(table)
        if spec is None:
            spec = Table(table)
            self.tables[table] = spec
            self.unknown_tables.add(table)
        self.replace_table(table, indexes={**spec.indexes, index.name: index})
        self.index_owner[index.name] = table
        if created:
            self.created_indexes.add(index.name)

    def drop_index(self, table: str, name: str) -> None:
        spec = self.tables.get(table)
        if spec is not None and name in spec.indexes:
            self.replace_table(table, indexes={k: v for k, v in spec.indexes.items() if k != name})
        if self.index_owner.get(name) == table:
            del self.index_owner[name]
        self.created_indexes.discard(name)


def from_schema(
    schema: Schema,
    dialect: LintDialect,
    *,
    critical_indexes: set[str] = frozenset(),  # type: ignore[assignment]
    critical_tables: set[str] = frozenset(),  # type: ignore[assignment]
    critical_keys: set[str] = frozenset(),  # type: ignore[assignment]
    path: str = "",
) -> State:
    """The state of a baseline schema; critical names may be qualified (``public.t.ix``)."""
    state = State(dialect, path=path, has_baseline=True, schema=schema)
    k = dialect.key
    for qualified, spec in schema.tables.items():
        name = k(bare(qualified))
        state.put_table(
            Table(
                name,
                {k(c): dataclasses.replace(col, name=k(c)) for c, col in spec.columns.items()},
                tuple(k(c) for c in spec.primary_key),
                {
                    k(n): dataclasses.replace(
                        ix, name=k(n), columns=tuple(_key(c, k) for c in ix.columns)
                    )
                    for n, ix in spec.indexes.items()
                },
                {
                    k(n): dataclasses.replace(fk, columns=tuple(k(c) for c in fk.columns))
                    for n, fk in spec.foreign_keys.items()
                },
                {k(n): tuple(k(c) for c in cols) for n, cols in spec.uniques.items()},
                {k(n): text for n, text in spec.checks.items()},
            )
        )
    state.critical_indexes = {k(bare(n)) for n in critical_indexes}
    state.critical_tables = {k(bare(n)) for n in critical_tables}
    state.critical_keys = {k(bare(n)) for n in critical_keys}
    for name in state.critical_indexes:
        found = state.index(name)
        if found is not None:
            state.critical_defs[name] = found
    return state


def _key(column: str, k) -> str:  # type: ignore[no-untyped-def]
    plain = key_column(column)
    return column.replace(plain, k(plain), 1) if plain else column
