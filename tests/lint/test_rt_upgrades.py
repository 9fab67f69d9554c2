"""Request Tracker 5's own upgrade scripts (107 files, three dialects), linted as they ship
(see :mod:`tests.lint.rt_upgrades`)."""

from __future__ import annotations

from collections import Counter

from driftline.findings import Severity
from driftline.lint import lint_files
from tests.lint.rt_upgrades import EXTENSIONS
from tests.lint.rt_upgrades import upgrade_files as _files


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
