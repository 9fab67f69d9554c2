"""Handing a database URL (and the password in it) to a child process without leaking it.

A password never goes on a child's command line (``ps`` shows it to every user) nor into an
environment the child inherits (``/proc/<pid>/environ``, and every grandchild gets it too). The
parent writes the URL into a file only its user can read (0600, in a 0700 directory) and passes
the file's *path*; the child reads it (``--db-file``; ``DRIFTLINE_REFSYS_DB_FILE`` names it for
uvicorn's worker processes). The directory is deleted when the parent is done::

    with secret_file(db_url) as path:
        subprocess.run([..., "--db-file", str(path)])

:func:`redact_secrets` masks a URL's password in text that is shown or logged.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

from driftline.errors import InputFileError

MASK = "***"


@contextlib.contextmanager
def secret_file(secret: str, name: str = "db-url") -> Iterator[Path]:
    """A 0600 file holding ``secret`` in a fresh 0700 directory; both deleted on exit."""
    directory = Path(tempfile.mkdtemp(prefix="driftline-secret-"))
    try:
        os.chmod(directory, 0o700)
        path = directory / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(secret)
        yield path
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def read_secret_file(path: str | Path, option: str = "--db-file") -> str:
    """The secret in ``path`` (surrounding whitespace stripped); a clear error when unreadable."""
    try:
        text = Path(path).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise InputFileError(path, f"{option}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise InputFileError(path, f"{option}: cannot read: {reason}") from None
    if not text:
        raise InputFileError(path, f"{option}: the file is empty")
    return text


def url_password(url: str | None) -> str | None:
    """The password in a database URL, if it has one."""
    if not url or "://" not in url:
        return None
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        password = make_url(url).password
    except (ArgumentError, ValueError):
        return None
    return str(password) if password else None


def redact_secrets(text: str, *urls: str | None) -> str:
    """``text`` with the password of each URL masked, as typed and as URL-quoted."""
    for url in urls:
        password = url_password(url)
        if not password:
            continue
        for form in {password, quote(password, safe=""), quote_plus(password)}:
            text = text.replace(form, MASK)
    return text


__all__ = ["MASK", "read_secret_file", "redact_secrets", "secret_file", "url_password"]
