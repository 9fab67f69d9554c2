"""A derived cache of lint results: a run over the same files, options and code is answered
from disk without parsing.

CI re-lints a migration directory whose files rarely change. The key is a SHA-256 of everything
the findings depend on: the cache format, driftline's version, a fingerprint of the code that
lints (size and modification time of the lint, schema-model and dialect sources and of sqlglot),
the options, the baseline's bytes and every file's path and bytes, in order. A file's findings
depend on the files before it (they build the schema it is judged on), so one key covers the
whole run. Only successful runs are stored, so a hit also means the options were valid.

Entries are plain JSON (the findings' own ``to_dict``), one file per key under
``$DRIFTLINE_CACHE_DIR/lint``, else ``$XDG_CACHE_HOME/driftline/lint``, else
``~/.cache/driftline/lint`` (an empty ``DRIFTLINE_CACHE_DIR`` turns it off, as
``DRIFTLINE_NO_CACHE`` does); directory 0700, files 0600, written atomically. An unreadable or
malformed entry is a miss; a cache that cannot be written is silently skipped. The oldest
entries are removed beyond :data:`MAX_ENTRIES`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Sequence
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from driftline import __version__
from driftline.findings import Finding
from driftline.schema import cache

FORMAT = "driftline-lint-cache 1"
MAX_ENTRIES = 200
#: driftline sources whose change can change lint findings (relative to the package)
_CODE = ("lint", "schema/model.py", "dialects", "findings.py", "errors.py")


def _code_fingerprint() -> list[str]:
    package = Path(__file__).resolve().parents[1]
    stamps = []
    for name in _CODE:
        path = package / name
        files = sorted(path.glob("*.py")) if path.is_dir() else [path]
        for file in files:
            st = file.stat()
            stamps.append(f"{name}/{file.name}:{st.st_size}:{st.st_mtime_ns}")
    spec = find_spec("sqlglot")  # locates the package without importing it
    origin = getattr(spec, "origin", None)
    if origin:
        for file in sorted(Path(origin).parent.glob("*")):
            if file.is_file():
                st = file.stat()
                stamps.append(f"sqlglot/{file.name}:{st.st_size}:{st.st_mtime_ns}")
    return stamps


def key(files: Sequence[tuple[str, bytes]], options: dict[str, Any]) -> str:
    """The cache key of a run over ``files`` (path as given, bytes) with ``options``."""
    digest = hashlib.sha256()
    header = {"format": FORMAT, "version": __version__, "code": _code_fingerprint(), **options}
    digest.update(json.dumps(header, sort_keys=True, default=str).encode())
    for path, data in files:
        digest.update(b"\0file\0%d\0%s\0%d\0" % (len(path), path.encode(), len(data)))
        digest.update(data)
    return digest.hexdigest()


def _decode(payload: bytes) -> list[Finding] | None:
    data = json.loads(payload)
    if data.get("format") != FORMAT:
        return None
    return [Finding.from_dict(item) for item in data["findings"]]


def load(entry: str) -> list[Finding] | None:
    try:
        return cache.read("lint", f"{entry}.json", _decode)
    except Exception:  # a partial or foreign entry: lint again
        return None


def store(entry: str, findings: Iterable[Finding]) -> None:
    body = {"format": FORMAT, "findings": [f.to_dict() for f in findings]}
    where = cache.write("lint", f"{entry}.json", body, lambda data: json.dumps(data).encode())
    if where is not None:
        with contextlib.suppress(OSError):
            _prune(where)


def _prune(where: Path) -> None:
    entries = [e for e in os.scandir(where) if e.name.endswith(".json")]
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort(key=lambda e: e.stat().st_mtime_ns)
    for old in entries[: len(entries) - MAX_ENTRIES]:
        with contextlib.suppress(OSError):
            os.unlink(old.path)


def cached(
    paths: Sequence[str | Path],
    options: dict[str, Any],
    run: Callable[[], list[Finding]],
    *,
    baseline: str | Path | None = None,
) -> list[Finding]:
    """``run()``'s findings for ``paths`` and ``options``, from the cache when it has them.

    A file that cannot be read is left to ``run()``, which reports it."""
    if cache.directory("lint") is None:
        return run()
    try:
        files = [(str(p), Path(p).read_bytes()) for p in paths]
        if baseline is not None:
            data = Path(baseline).read_bytes()
            options = {**options, "baseline": [str(baseline), hashlib.sha256(data).hexdigest()]}
    except OSError:
        return run()
    entry = key(files, options)
    hit = load(entry)
    if hit is not None:
        return hit
    findings = run()
    store(entry, findings)
    return findings
