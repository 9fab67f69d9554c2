"""Request Tracker 5's own upgrade scripts (107 files, three dialects), linted as they ship.

Read from the installed package, or from the Debian package fetched with ``apt-get download``
at test time (never copied into driftline). RT's loader strips ``#`` lines before the SQL reaches
the server, so they are linted with ``hash_comments``.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from pathlib import Path

import pytest

from driftline.findings import Severity
from driftline.lint import lint_files

INSTALLED = Path("/usr/share/request-tracker5/etc/upgrade")
EXTENSIONS = {"postgresql": "Pg", "mysql": "mysql", "sqlite": "SQLite"}


@pytest.fixture(scope="module")
def upgrade_dir(tmp_path_factory) -> Path:
    if INSTALLED.is_dir():
        return INSTALLED
    work = tmp_path_factory.mktemp("rt")
    try:
        subprocess.run(
            ["apt-get", "download", "request-tracker5"], cwd=work, check=True, timeout=300
        )
        [deb] = work.glob("request-tracker5_*.deb")
        subprocess.run(["dpkg", "-x", str(deb), str(work / "x")], check=True, timeout=120)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        pytest.fail(f"cannot get Request Tracker 5's upgrade scripts: {exc}")
    return work / "x" / INSTALLED.relative_to("/")


def _files(root: Path, dialect: str) -> list[Path]:
    def version(p: Path) -> tuple[int, ...]:
        return tuple(int(x) for x in p.parent.name.split(".") if x.isdigit())

    return sorted(root.glob(f"*/schema.{EXTENSIONS[dialect]}"), key=version)


def test_every_upgrade_script_is_read_and_nothing_destructive_is_silent(upgrade_dir):
    total = 0
    for dialect in EXTENSIONS:
        files = _files(upgrade_dir, dialect)
        total += len(files)
        findings = lint_files(files, dialect=dialect, hash_comments=True, large_tables=["*"])
        kinds = Counter(f.kind for f in findings)
        # every whole-table UPDATE/DELETE of RT's data migrations is reported
        assert kinds["lint.no_where"] >= 1
        for f in findings:
            if f.kind == "lint.unparseable" and "DROP" in f.message:
                assert f.severity == Severity.ERROR
        if dialect != "mysql":  # MySQL's CONVERT/ADD COLUMN (…) lists are reported as unread
            assert kinds["lint.unparseable"] == 0, [f for f in findings if "unparseable" in f.kind]
    assert total >= 100


def test_hash_comment_lines_are_what_the_vendor_loader_strips(upgrade_dir):
    files = [p for p in _files(upgrade_dir, "postgresql") if "\n#" in "\n" + p.read_text()]
    assert files, "RT's PostgreSQL upgrade files have '#' comment lines"
    raw = lint_files(files, dialect="postgresql")
    assert any(f.kind == "lint.unparseable" for f in raw)
    stripped = lint_files(files, dialect="postgresql", hash_comments=True)
    assert not any(f.kind == "lint.unparseable" for f in stripped)
