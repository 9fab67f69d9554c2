"""The ``driftline`` command: a thin Typer layer over the library.

Each command parses options, calls one library function, prints, and returns an exit code.
:func:`run` maps errors onto the design's contract: any :class:`DriftlineError` or usage error is
one line on stderr and exit 2 (a traceback only with ``--debug``).
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence

import typer

from driftline import __version__
from driftline.cli._commands import LazyGroup
from driftline.errors import DriftlineError

app = typer.Typer(
    name="driftline",
    cls=LazyGroup,
    help="Reliability and config-drift testing for ticket systems and their databases.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"driftline {__version__}")
        raise typer.Exit(0)


@app.callback()
def root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version."
    ),
) -> None:
    """driftline: catch index drift, plan regressions and pipeline stalls before users do."""


def redact(text: str) -> str:
    """Passwords out of an error line (the database layer loads only when there is an error)."""
    from driftline.db import redact as redact_text

    return redact_text(text)


def run(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` and return the exit code (never raises for user errors)."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        result = app(args=args, prog_name="driftline", standalone_mode=False)
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        print("driftline: aborted", file=sys.stderr)
        return 130
    except typer.TyperException as exc:
        ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
            print(ctx.get_help())
            return 0
        if debug:
            traceback.print_exc()
        print(f"driftline: error: {redact(exc.format_message())}", file=sys.stderr)
        return 2
    except DriftlineError as exc:
        if debug:
            traceback.print_exc()
        print(f"driftline: error: {redact(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("driftline: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        if debug or not exc.filename:
            raise_or_report(exc, debug)
            return 2
        # a file or directory that cannot be read or written: bad input, not a bug
        print(f"driftline: error: {exc.filename}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except (RecursionError, UnicodeDecodeError) as exc:
        if debug:
            raise
        what = "nested too deeply" if isinstance(exc, RecursionError) else "not UTF-8 text"
        print(f"driftline: error: an input file is {what} to read", file=sys.stderr)
        return 2
    except Exception as exc:
        mapped = _database_failure(exc)
        if mapped is not None:  # a database that failed a write or went away: not a bug
            if debug:
                traceback.print_exc()
            print(f"driftline: error: {redact(str(mapped))}", file=sys.stderr)
            return mapped.exit_code
        # a bug, not bad input: still one line unless --debug
        raise_or_report(exc, debug)
        return 2
    if isinstance(result, int):
        return result
    return 0


def _database_failure(exc: Exception) -> DriftlineError | None:
    """A driver error as the driftline error it means (see :func:`driftline.db.database_failure`);
    without SQLAlchemy loaded there can be none."""
    if "sqlalchemy" not in sys.modules:
        return None
    from driftline.db import database_failure

    return database_failure(exc)


def raise_or_report(exc: BaseException, debug: bool) -> None:
    """Re-raise with --debug; else print the one ``internal error`` line."""
    if debug:
        raise exc
    first = (str(exc).splitlines() or [""])[0]
    print(
        f"driftline: internal error: {type(exc).__name__}: {redact(first)} "
        "(rerun with --debug for the traceback)",
        file=sys.stderr,
    )


def main() -> None:
    sys.exit(run())


__all__ = ["app", "main", "run"]
