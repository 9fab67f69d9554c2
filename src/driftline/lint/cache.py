"""A derived cache of lint results: a run over the same files, options and code is answered
from disk without parsing, and a run over the same files plus new ones lints only the new ones.

CI re-lints a migration directory whose files rarely change, and most changes add a file at the
end. A file's findings depend on the files before it (they build the schema it is judged on), so
keys form a chain: the first covers everything the findings depend on besides the files (the
cache format, driftline's version, a fingerprint of the code that lints — size and modification
time of the lint, schema-model and dialect sources and of sqlglot —, the options and the
baseline's bytes), and each file's key is the SHA-256 of the key before it and that file's path
and bytes. A run stores its findings under the last key, and the schema state its last file left
(:mod:`driftline.lint.resume`) beside them. A later run whose files begin with an earlier run's
files takes that run's findings and state and lints the rest. Only successful runs are stored,
so a hit also means the options were valid.

Findings are plain JSON (the findings' own ``to_dict``), states :mod:`marshal` data, one file
per key under ``$DRIFTLINE_CACHE_DIR/lint``, else ``$XDG_CACHE_HOME/driftline/lint``, else
``~/.cache/driftline/lint`` (an empty ``DRIFTLINE_CACHE_DIR`` turns it off, as
``DRIFTLINE_NO_CACHE`` does); directory 0700, files 0600, written atomically, read only when
private to the user (:mod:`driftline.schema.cache`). An unreadable or malformed entry is a miss;
a cache that cannot be written is silently skipped. The oldest entries are removed beyond
:data:`MAX_ENTRIES` findings and :data:`MAX_STATES` states; a state larger than
:data:`MAX_STATE_BYTES` (a baseline of thousands of tables) is not kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import os
from collections.abc import Callable, Iterable, Sequence
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

from driftline import __version__
from driftline.findings import Finding
from driftline.schema import cache

if TYPE_CHECKING:
    from driftline.lint.engine import LintRun
    from driftline.lint.state import State

FORMAT = "driftline-lint-cache 2"
MAX_ENTRIES = 200
MAX_STATES = 16
MAX_STATE_BYTES = 4 * 1024 * 1024
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


def keys(files: Sequence[tuple[str, bytes]], options: dict[str, Any]) -> list[str]:
    """The key of every leading part of a run over ``files`` (path as given, bytes) with
    ``options``: ``keys[i]`` covers ``files[: i + 1]``."""
    header = {"format": FORMAT, "version": __version__, "code": _code_fingerprint(), **options}
    previous = hashlib.sha256(json.dumps(header, sort_keys=True, default=str).encode()).digest()
    chain = []
    for path, data in files:
        digest = hashlib.sha256(previous)
        digest.update(b"\0file\0%d\0%s\0%d\0" % (len(path), path.encode(), len(data)))
        digest.update(data)
        previous = digest.digest()
        chain.append(digest.hexdigest())
    return chain


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


def store(entry: str, findings: Iterable[Finding], state: State | None = None) -> None:
    """Keep a run's findings under its last key, and the state it left when given."""
    body = {"format": FORMAT, "findings": [f.to_dict() for f in findings]}
    where = cache.write("lint", f"{entry}.json", body, lambda data: json.dumps(data).encode())
    if where is None:
        return
    if state is not None:
        from driftline.lint import resume

        payload = marshal.dumps(resume.to_plain(state))
        if len(payload) <= MAX_STATE_BYTES:
            cache.write("lint", f"{entry}.state", payload, lambda data: data)
    with contextlib.suppress(OSError):
        _prune(where, ".json", MAX_ENTRIES)
        _prune(where, ".state", MAX_STATES)


def _prune(where: Path, suffix: str, keep: int) -> None:
    entries = [e for e in os.scandir(where) if e.name.endswith(suffix)]
    if len(entries) <= keep:
        return
    entries.sort(key=lambda e: e.stat().st_mtime_ns)
    for old in entries[: len(entries) - keep]:
        with contextlib.suppress(OSError):
            os.unlink(old.path)


def cached(
    paths: Sequence[str | Path],
    options: dict[str, Any],
    start: Callable[[], LintRun],
    *,
    baseline: str | Path | None = None,
) -> list[Finding]:
    """The findings of linting ``paths`` with ``options``, from the cache when it has them.

    ``start()`` makes the run that lints what the cache cannot answer. A file that cannot be
    read is left to it, which reports it."""
    if cache.directory("lint") is None:
        return start().lint(paths)
    try:
        files = [(str(p), Path(p).read_bytes()) for p in paths]
        if baseline is not None:
            data = Path(baseline).read_bytes()
            options = {**options, "baseline": [str(baseline), hashlib.sha256(data).hexdigest()]}
    except OSError:
        return start().lint(paths)
    chain = keys(files, options)
    hit = load(chain[-1]) if chain else None
    if hit is not None:
        return hit
    run = start()
    done, findings = _resume(run, chain[:-1])
    findings = findings + run.lint(paths[done:], [content for _, content in files[done:]])
    if chain:
        store(chain[-1], findings, run.state)
    return findings


def _resume(run: LintRun, chain: Sequence[str]) -> tuple[int, list[Finding]]:
    """How many leading files an earlier run already linted, and their findings: ``run`` then
    goes on from the state they left. ``(0, [])`` when no earlier run matches."""
    from driftline.lint import resume

    folder = cache.directory("lint")
    if folder is None:
        return 0, []
    for done in range(len(chain), 0, -1):
        entry = chain[done - 1]
        if not os.path.exists(folder / f"{entry}.state"):
            continue
        plain = cache.read("lint", f"{entry}.state")
        findings = load(entry)
        if plain is None or findings is None:
            continue
        try:
            state = resume.from_plain(plain, run.state.schema)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            continue
        run.state = state
        return done, findings
    return 0, []
