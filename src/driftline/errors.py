"""The one exception tree of driftline.

Every error a user can cause derives from :class:`DriftlineError`; the CLI turns any of them into
one line on stderr and exit code 2 (a traceback only with ``--debug``)::

    DriftlineError
    ├── UsageError            bad option values, unknown dialect, unknown format
    ├── InputFileError        a file that cannot be read or is malformed (names file and line)
    │   └── BaselineError     a baseline of the wrong kind or version
    ├── ConnectionFailed      an unreachable database or host (names the host, no password)
    │   └── DatabaseTimeout   a read stopped by another session's lock or by a timeout
    ├── PermissionDenied      the connected role may not read what a check needs
    ├── DatabaseFailed        a statement the database refused (names the host, no password)
    └── RunError              a stress run or drill that could not be carried out
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path


class DriftlineError(Exception):
    """Root of every error driftline reports to a user."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(DriftlineError):
    """An option or argument that cannot be used as given."""

    @classmethod
    def unknown(cls, what: str, value: str, choices: Iterable[str]) -> UsageError:
        """``unknown dialect 'postgress' (did you mean 'postgres'?)``."""
        options = sorted(choices)
        close = difflib.get_close_matches(value, options, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else f" (choose from {', '.join(options)})"
        return cls(f"unknown {what} '{value}'{hint}")


class InputFileError(DriftlineError):
    """A file that cannot be read or is malformed; the message names file and line."""

    def __init__(self, path: str | Path, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


class BaselineError(InputFileError):
    """A baseline or run file of the wrong kind or version."""


class ConnectionFailed(DriftlineError):
    """A database or host that cannot be reached; never carries a password."""


class DatabaseTimeout(ConnectionFailed):
    """A read that a lock held by another session, the statement timeout or a silent server
    stopped; the message names the host and the option that would let it wait longer.
    ``kind`` says which: ``"lock"``, ``"statement"`` or ``"read"``."""

    def __init__(self, message: str, kind: str = "read") -> None:
        super().__init__(message)
        self.kind = kind


class PermissionDenied(DriftlineError):
    """The connected role lacks a privilege a check needs."""


class DatabaseFailed(DriftlineError):
    """A statement the database refused for a reason other than reach, time or privilege (a
    missing table, a full disk); the message names the host and database, never a password."""


class RunError(DriftlineError):
    """A stress run, drill or subprocess that could not be carried out."""
