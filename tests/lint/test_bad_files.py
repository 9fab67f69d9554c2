"""A SQL file lint cannot read or check is one line naming the file and line, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from driftline.cli import run


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            b"CREATE TABLE t (a int);\n\nUPDATE t SET a = " + b"(" * 3000 + b"1" + b")" * 3000
            + b" WHERE a = 1;\n",
            "{f}:3: statement nested too deeply to check",
        ),
        (
            b"DO $$ BEGIN\n  PERFORM " + b"(" * 3000 + b"1" + b")" * 3000 + b";\nEND $$;\n",
            "{f}:1: statement nested too deeply to check",
        ),
        (
            b"CREATE TABLE t (a int);\n-- caf\xe9\nDELETE FROM t;\n",
            "{f}:2: not UTF-8 text (byte 0xe9 cannot be decoded)",
        ),
    ],
    ids=["nested", "nested-in-do-block", "latin-1"],
)  # fmt: skip
def test_bad_file_is_one_line_naming_file_and_line(tmp_path: Path, capsys, content, expected):
    path = tmp_path / "0001.sql"
    path.write_bytes(content)
    assert run(["lint", "--no-cache", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("driftline: error: " + expected.format(f=path)), err
