"""Undoing a drill's fault on every way out of the drill, exactly once.

A drill damages the database on purpose. Whatever ends it once the fault is in — a stress run
that fails, a detector that raises, a mid-run fault that fails, Ctrl-C or SIGTERM — the fault is
undone before the error goes on to the user, unchanged. The drill's own path undoes it where it
means to (before the recovery run); on every other path :func:`undone_on_exit` does, and never
twice. When the undo itself fails, the user gets one line that says what stopped the drill (if
anything did), why the undo failed, and what is left to do by hand::

    with undone_on_exit(lambda: fault.restore(engine), left_to_do) as undo:
        fault.inject(engine)
        ...  # anything here may raise
        undo()  # the normal path; on any other, the context undoes it
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from driftline.errors import DriftlineError, RunError


class RestoreFailed(RunError):
    """A fault the drill could not undo; the message says what is left to do by hand. Its exit
    code is that of what stopped the drill (130 for an interruption), else 2."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def describe_failure(exc: BaseException) -> tuple[str, int]:
    """What ``exc`` says to a user in one line, and the exit code it carries."""
    from driftline.db import database_failure, redact

    if isinstance(exc, KeyboardInterrupt):
        return "interrupted", 130
    mapped = database_failure(exc) if isinstance(exc, Exception) else None
    if isinstance(mapped, DriftlineError):
        return str(mapped), mapped.exit_code
    first = (str(exc).splitlines() or [""])[0]
    return f"internal error: {type(exc).__name__}: {redact(first)}", 2


class Undo:
    """Calls ``restore`` the first time it is called, and never again."""

    def __init__(
        self, restore: Callable[[], object], left_to_do: str, what: str = "the fault"
    ) -> None:
        self._restore = restore
        self.left_to_do = left_to_do
        self.what = what
        self.done = False

    def __call__(self) -> None:
        if self.done:
            return
        self.done = True
        try:
            self._restore()
        except (Exception, KeyboardInterrupt) as exc:
            # a Ctrl-C in the middle of the undo must still say what is left to do
            why, code = describe_failure(exc)
            message = f"{self.what} could not be undone ({why}): {self.left_to_do}"
            raise RestoreFailed(message, 130 if code == 130 else 2) from exc


@contextlib.contextmanager
def undone_on_exit(
    restore: Callable[[], object], left_to_do: str, what: str = "the fault"
) -> Iterator[Undo]:
    """Run the body with the :class:`Undo` of ``what`` (the fault, by default); undo on the way
    out unless the body did. ``left_to_do`` tells a user what to do should the undo fail."""
    undo = Undo(restore, left_to_do, what)
    try:
        yield undo
    except BaseException as stopped:
        if undo.done:
            raise
        try:
            undo()
        except RestoreFailed as failed:
            what, code = describe_failure(stopped)
            raise RestoreFailed(f"{what}; then {failed}", code) from failed.__cause__
        raise
    undo()


__all__ = ["RestoreFailed", "Undo", "describe_failure", "undone_on_exit"]
