"""Request Tracker 5's own upgrade scripts: a real migration history in three dialects.

Read from the installed package, or from the Debian package fetched with ``apt-get download``
at test time (never copied into driftline). RT's loader strips ``#`` lines before the SQL reaches
the server, so they are linted with ``hash_comments``.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

INSTALLED = Path("/usr/share/request-tracker5/etc/upgrade")
EXTENSIONS = {"postgresql": "Pg", "mysql": "mysql", "sqlite": "SQLite"}


def fetch_upgrade_dir(work: Path) -> Path:
    """The upgrade scripts' directory: the installed one, else one unpacked under ``work``."""
    if INSTALLED.is_dir():
        return INSTALLED
    try:
        subprocess.run(
            ["apt-get", "download", "request-tracker5"], cwd=work, check=True, timeout=300
        )
        [deb] = work.glob("request-tracker5_*.deb")
        subprocess.run(["dpkg", "-x", str(deb), str(work / "x")], check=True, timeout=120)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        pytest.fail(f"cannot get Request Tracker 5's upgrade scripts: {exc}")
    return work / "x" / INSTALLED.relative_to("/")


def upgrade_files(root: Path, dialect: str) -> list[Path]:
    """One dialect's upgrade scripts, in version order."""

    def version(p: Path) -> tuple[int, ...]:
        return tuple(int(x) for x in p.parent.name.split(".") if x.isdigit())

    return sorted(root.glob(f"*/schema.{EXTENSIONS[dialect]}"), key=version)
