"""A derived cache of parsed baselines: a big baseline is parsed from YAML once per content.

The YAML file stays what is committed and reviewed. The cache holds what
:func:`~driftline.schema.baseline.load_baseline` built from it, as plain data (tuples, dicts,
strings, numbers; no objects) written with :mod:`marshal`, in the user's cache directory, under
the SHA-256 of the file's text, driftline's version, this format's number and the source of the
modules that parse baselines. An edited file has another key, so an entry is never used for a
text it was not made from, nor by code other than the code that made it.

An entry is read only from a directory and a file owned by the user and writable by no one
else, so no other account can plant one; a file that does not read back as this format is
ignored and the YAML is parsed. Writes go to a temporary file renamed into place, so
concurrent checks (a fleet) never read half an entry.

``DRIFTLINE_CACHE_DIR`` chooses the directory (default ``$XDG_CACHE_HOME/driftline`` or
``~/.cache/driftline``); set it to an empty string to turn the cache off.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import marshal
import os
import stat
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from driftline.schema.model import Column, ForeignKey, Index, Schema, Sequence, Table

if TYPE_CHECKING:
    from driftline.schema.baseline import Baseline

#: bump when the plain form below changes
FORMAT = 1
#: texts shorter than this parse from YAML faster than a cache lookup pays back
MIN_CHARS = 32_768

_COLUMN = ("name", "type", "nullable", "default", "collation", "identity", "generated")
_INDEX = ("name", "columns", "unique", "where", "include", "method", "valid", "key_options")
_FK = ("name", "columns", "ref_table", "ref_columns", "on_delete", "on_update", "deferrable")
_SEQUENCE = ("name", "type", "start", "increment", "min_value", "max_value", "cycle", "owned_by")


def directory() -> Path | None:
    """Where entries live, or None when the cache is off."""
    chosen = os.environ.get("DRIFTLINE_CACHE_DIR")
    if chosen is not None:
        return Path(chosen) / "baselines" if chosen else None
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "driftline" / "baselines"


#: the code whose answer an entry holds: an entry made by other code (a development checkout
#: between releases, an edited install) is never read
_BUILDERS = ("schema/baseline.py", "schema/model.py", "schema/baseline_cache.py", "yamlfile.py",
             "yamlfast.py")  # fmt: skip


def _code() -> bytes:
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for name in _BUILDERS:
        try:
            digest.update((package / name).read_bytes())
        except OSError:  # not a plain file (a zipped install): the version stands for it
            digest.update(name.encode())
    return digest.digest()


def _key(text: str) -> str:
    from driftline import __version__

    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass"))
    digest.update(f"\0driftline {__version__}\0format {FORMAT}\0".encode())
    digest.update(_code())
    return digest.hexdigest()


def _private(st: os.stat_result) -> bool:
    """Owned by this user and writable by no one else."""
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def load(text: str, path: str) -> Baseline | None:
    """The baseline an earlier load built from ``text``, or None (then parse the YAML)."""
    folder = directory()
    if folder is None or len(text) < MIN_CHARS:
        return None
    entry = folder / _key(text)
    try:
        with open(entry, "rb") as f:
            if not (_private(os.fstat(f.fileno())) and _private(os.stat(folder))):
                return None
            plain = marshal.loads(f.read())
        return _from_plain(plain, path)
    except (OSError, EOFError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None


def store(text: str, baseline: Baseline) -> None:
    """Keep what was built from ``text``; a cache that cannot be written is skipped."""
    folder = directory()
    if folder is None or len(text) < MIN_CHARS:
        return
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(os.stat(folder)):
            return
        data = marshal.dumps(_to_plain(baseline))
        fd, temp = tempfile.mkstemp(dir=folder, prefix=".entry-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(temp, folder / _key(text))
        except BaseException:
            os.unlink(temp)
            raise
    except (OSError, ValueError):
        return


def _fields(obj: Any, names: tuple[str, ...]) -> tuple:
    return tuple(getattr(obj, n) for n in names)


def _to_plain(b: Baseline) -> tuple:
    s = b.schema
    tables = tuple(
        (
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
        for t in s.tables.values()
    )
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
        tables={
            name: Table(
                name,
                {c[0]: Column(*c) for c in columns},
                pk,
                {i[0]: Index(*i) for i in indexes},
                {f[0]: ForeignKey(*f) for f in fks},
                uniques,
                checks,
                not_valid,
                options,
            )
            for name, columns, pk, indexes, fks, uniques, checks, not_valid, options in tables
        },
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
