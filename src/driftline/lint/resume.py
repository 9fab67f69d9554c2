"""Lint's schema state as plain data, so a later run can go on from where an earlier one ended.

Files are linted in order against one evolving :class:`~driftline.lint.state.State`; a run over
the same files plus new ones only has to lint the new ones, starting from the state the earlier
run left. The plain form holds tuples, dicts, sets and strings only (for :mod:`marshal`). The
baseline's schema is not part of it: the caller attaches the one it loaded, which is the same
baseline, since the cache key covers the baseline's bytes.
"""

from __future__ import annotations

import dataclasses

from driftline.lint.dialect import LintDialect
from driftline.lint.state import Routine, State
from driftline.schema.baseline_cache import (
    index_from_plain,
    index_to_plain,
    table_from_plain,
    table_to_plain,
)
from driftline.schema.model import Schema

#: bump when the plain form below changes
FORMAT = 1
_SETS = (
    "critical_indexes",
    "critical_tables",
    "critical_keys",
    "large_tables",
    "created_tables",
    "created_indexes",
    "unknown_tables",
)


def to_plain(state: State) -> tuple:
    """``state`` as plain data, without its baseline schema."""
    return (
        FORMAT,
        dataclasses.astuple(state.dialect),
        state.path,
        state.has_baseline,
        state.lock_timeout,
        {key: table_to_plain(table) for key, table in state.tables.items()},
        dict(state.index_owner),
        dict(state.origin),
        {name: set(getattr(state, name)) for name in _SETS},
        {key: (owner, index_to_plain(ix)) for key, (owner, ix) in state.critical_defs.items()},
        {key: (r.name, r.body, r.line, r.params) for key, r in state.routines.items()},
    )


def from_plain(plain: tuple, schema: Schema | None) -> State:
    """The state :func:`to_plain` made ``plain`` from, with the baseline ``schema`` attached.

    Raises ``ValueError`` (or the ``TypeError``/``KeyError`` of a malformed value) when
    ``plain`` is not this format."""
    if plain[0] != FORMAT:
        raise ValueError("another state format")
    _, dialect, path, has_baseline, lock_timeout, tables, owners, origin, sets, defs, routines = (
        plain
    )
    state = State(
        LintDialect(*dialect),
        path=path,
        has_baseline=has_baseline,
        tables={key: table_from_plain(t) for key, t in tables.items()},
        index_owner=dict(owners),
        origin=dict(origin),
        critical_defs={k: (owner, index_from_plain(ix)) for k, (owner, ix) in defs.items()},
        routines={k: Routine(*r) for k, r in routines.items()},
        schema=schema,
        lock_timeout=lock_timeout,
    )
    for name in _SETS:
        setattr(state, name, set(sets[name]))
    return state
