"""Derived caches in the user's cache directory: plain data, private files, atomic writes.

Entries are :mod:`marshal` data of plain values (tuples, dicts, strings, numbers; no objects).
One is read only from a directory and a file owned by the user and writable by no one else, so
no other account can plant one; one that does not read back is treated as absent. Writes go to
a temporary file renamed into place, so concurrent processes never read half an entry. Names
are digests of everything the entry depends on (see :func:`code_digest`), so an entry is never
used for inputs or code other than those it was made from.

``DRIFTLINE_CACHE_DIR`` chooses the directory (default ``$XDG_CACHE_HOME/driftline`` or
``~/.cache/driftline``); set it to an empty string, or ``DRIFTLINE_NO_CACHE`` to anything but
``0``, to turn these caches off.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parents[1]


def directory(kind: str) -> Path | None:
    """Where entries of ``kind`` live, or None when caches are off."""
    if os.environ.get("DRIFTLINE_NO_CACHE", "") not in ("", "0"):
        return None
    chosen = os.environ.get("DRIFTLINE_CACHE_DIR")
    if chosen is not None:
        return Path(chosen) / kind if chosen else None
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "driftline" / kind


def code_digest(*files: Path) -> bytes:
    """SHA-256 of the source files an entry's answer comes from, and driftline's version: an
    entry made by other code (a checkout between releases, an edited install) is never read."""
    from driftline import __version__

    digest = hashlib.sha256(f"driftline {__version__}".encode())
    for file in files:
        try:
            digest.update(file.read_bytes())
        except OSError:  # not a plain file (a zipped install): the version stands for it
            digest.update(str(file).encode())
    return digest.digest()


def _private(st: os.stat_result) -> bool:
    """Owned by this user and writable by no one else."""
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def read(kind: str, name: str, loads: Callable[[bytes], Any] = marshal.loads) -> Any | None:
    """The plain data of an entry (decoded by ``loads``), or None when it is absent or cannot
    be trusted."""
    folder = directory(kind)
    if folder is None:
        return None
    try:
        with open(folder / name, "rb") as f:
            if not (_private(os.fstat(f.fileno())) and _private(os.stat(folder))):
                return None
            return loads(f.read())
    except (OSError, EOFError, ValueError, TypeError):
        return None


def write(
    kind: str, name: str, data: Any, dumps: Callable[[Any], bytes] = marshal.dumps
) -> Path | None:
    """Keep an entry (encoded by ``dumps``) and return its folder; a cache that cannot be
    written is skipped (None)."""
    folder = directory(kind)
    if folder is None:
        return None
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(os.stat(folder)):
            return None
        payload = dumps(data)
        fd, temp = tempfile.mkstemp(dir=folder, prefix=".entry-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(payload)
            os.replace(temp, folder / name)
        except BaseException:
            os.unlink(temp)
            raise
    except (OSError, ValueError):
        return None
    return folder
