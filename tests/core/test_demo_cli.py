"""The demo's edges without running it: a missing database is one line, and it cleans up."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from driftline.cli import run
from driftline.drills.demo import DemoResult, demo_closing_lines, remove_embedded_database
from tests.conftest import require_server


@pytest.mark.parametrize("dialect", ["postgresql", "mysql"])
def test_demo_on_a_missing_database_is_one_line_exit_2(dialect, tmp_path, capsys):
    name = f"dl_missing_{uuid.uuid4().hex[:10]}"
    url = make_url(require_server(dialect)).set(database=name)
    url_text = url.render_as_string(hide_password=False)
    assert run(["demo", "--db", url_text, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith("driftline: error: cannot connect to")
    assert name in err and "CREATE DATABASE" in err
    assert "internal error" not in err and "Traceback" not in err


def test_embedded_database_and_journals_are_deleted(tmp_path):
    db = tmp_path / "refsys.db"
    db.write_bytes(b"x" * 3_000_000)
    (tmp_path / "refsys.db-wal").write_bytes(b"y" * 1000)
    keep = tmp_path / "report.html"
    keep.write_text("report")
    removed = remove_embedded_database(db)
    assert sorted(p.name for p, _ in removed) == ["refsys.db", "refsys.db-wal"]
    assert not db.exists() and keep.exists()
    result = DemoResult(None, None, keep, tmp_path, removed)  # type: ignore[arg-type]
    lines = demo_closing_lines(result)
    assert lines == [
        "deleted the embedded database refsys.db (3 MB)",
        f"runs, drill files and the report are in {tmp_path}",
    ]
    assert remove_embedded_database(Path(tmp_path / "none.db")) == []
