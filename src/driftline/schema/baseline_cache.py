"""A derived cache of parsed baselines: a big baseline is parsed from YAML once per content.

The YAML file stays what is committed and reviewed. The cache (see :mod:`driftline.schema.cache`
for where it lives and why an entry can be trusted) holds what
:func:`~driftline.schema.baseline.load_baseline` built from a text, as plain data, under the
SHA-256 of the text, this format's number and the source of the modules that parse baselines.
An edited file has another key, so an entry is never used for a text it was not made from, nor
by code other than the code that made it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING, Any

from driftline.schema import cache
from driftline.schema.model import ForeignKey, Index, Schema, Sequence, Table, column

if TYPE_CHECKING:
    from driftline.schema.baseline import Baseline

KIND = "baselines"
#: bump when the plain form below changes
FORMAT = 1
#: the code whose answer an entry holds
_BUILDERS = ("schema/baseline.py", "schema/model.py", "schema/baseline_cache.py", "yamlfile.py",
             "yamlfast.py")  # fmt: skip
#: texts shorter than this parse from YAML faster than a cache lookup pays back
MIN_CHARS = 32_768

_COLUMN = ("name", "type", "nullable", "default", "collation", "identity", "generated")
_INDEX = ("name", "columns", "unique", "where", "include", "method", "valid", "key_options")
_FK = ("name", "columns", "ref_table", "ref_columns", "on_delete", "on_update", "deferrable")
_SEQUENCE = ("name", "type", "start", "increment", "min_value", "max_value", "cycle", "owned_by")


def _key(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass"))
    digest.update(f"\0format {FORMAT}\0".encode())
    digest.update(cache.code_digest(*(cache.PACKAGE / name for name in _BUILDERS)))
    return digest.hexdigest()


def load(text: str, path: str) -> Baseline | None:
    """The baseline an earlier load built from ``text``, or None (then parse the YAML)."""
    if len(text) < MIN_CHARS or cache.directory(KIND) is None:
        return None
    plain = cache.read(KIND, _key(text))
    if plain is None:
        return None
    try:
        return _from_plain(plain, path)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None


def store(text: str, baseline: Baseline) -> None:
    """Keep what was built from ``text``."""
    if len(text) >= MIN_CHARS and cache.directory(KIND) is not None:
        cache.write(KIND, _key(text), _to_plain(baseline))


def _fields(obj: Any, names: tuple[str, ...]) -> tuple:
    return tuple(getattr(obj, n) for n in names)


def table_to_plain(t: Table) -> tuple:
    """A table as plain data (tuples, dicts, strings), for :mod:`marshal`."""
    return (
        t.name,
        tuple(_fields(c, _COLUMN) for c in t.columns.values()),
        t.primary_key,
        tuple(_fields(i, _INDEX) for i in t.indexes.values()),
        tuple((*_fields(f, _FK), f.valid) for f in t.foreign_keys.values()),
        t.uniques,
        t.checks,
        t.checks_not_valid,
        t.options,
    )


def table_from_plain(plain: tuple) -> Table:
    """The table :func:`table_to_plain` made ``plain`` from."""
    name, columns, pk, indexes, fks, uniques, checks, not_valid, options = plain
    return Table(
        name,
        {c[0]: column(*c) for c in columns},
        pk,
        {i[0]: Index(*i) for i in indexes},
        {f[0]: ForeignKey(*f) for f in fks},
        uniques,
        checks,
        not_valid,
        options,
    )


def index_to_plain(index: Index) -> tuple:
    return _fields(index, _INDEX)


def index_from_plain(plain: tuple) -> Index:
    return Index(*plain)


def _to_plain(b: Baseline) -> tuple:
    s = b.schema
    tables = tuple(table_to_plain(t) for t in s.tables.values())
    ignore = tuple(
        (e.object, e.reason, e.expires.isoformat() if e.expires else None, e.line) for e in b.ignore
    )
    return (
        FORMAT,
        s.dialect,
        s.server_version,
        tables,
        s.views,
        tuple(_fields(q, _SEQUENCE) for q in s.sequences.values()),
        s.extensions,
        s.materialized_views,
        s.not_compared,
        tuple(sorted(b.critical_tables)),
        tuple(sorted(b.critical_indexes)),
        ignore,
    )


def _from_plain(plain: tuple, path: str) -> Baseline:
    from driftline.schema.baseline import Baseline, IgnoreEntry

    if plain[0] != FORMAT:
        raise ValueError("another cache format")
    _, dialect, version, tables, views, sequences, extensions, mviews, other, ct, ci, ign = plain
    schema = Schema(
        dialect=dialect,
        server_version=version,
        tables={t[0]: table_from_plain(t) for t in tables},
        views=views,
        sequences={q[0]: Sequence(*q) for q in sequences},
        extensions=extensions,
        materialized_views=mviews,
        not_compared=other,
    )
    ignore = [
        IgnoreEntry(obj, reason, dt.date.fromisoformat(expires) if expires else None, line)
        for obj, reason, expires, line in ign
    ]
    return Baseline(schema, set(ct), set(ci), ignore, path)
