"""The ``driftline`` command's entry point (also ``python -m driftline``).

A bare ``driftline --version`` is answered before the CLI (Typer, Click) is imported: a CI step
that only asks for the version pays for the interpreter alone.
"""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from driftline import __version__

        print(f"driftline {__version__}")
        sys.exit(0)
    from driftline.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
