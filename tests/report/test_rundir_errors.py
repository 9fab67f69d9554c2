"""A missing or malformed run directory is exit 2 with the file (and line) named."""

from __future__ import annotations

import json

import pytest

from driftline.cli import run
from driftline.errors import InputFileError
from driftline.report import build_report, load_run
from tests.report.synthetic import make_run


def test_missing_run_dir(tmp_path, capsys):
    missing = tmp_path / "nope"
    assert run(["report", str(missing)]) == 2
    err = capsys.readouterr().err
    assert str(missing) in err and "no such run directory" in err


def test_missing_run_json(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert run(["report", str(tmp_path / "empty")]) == 2
    assert "run.json" in capsys.readouterr().err


def test_malformed_run_json_names_file_and_line(tmp_path, capsys):
    run_dir = make_run(tmp_path, samples=70)
    (run_dir / "run.json").write_text('{\n  "driftline": 1,\n  "kind": oops\n}\n')
    assert run(["report", str(run_dir)]) == 2
    err = capsys.readouterr().err
    assert f"{run_dir / 'run.json'}:3:" in err
    assert "Traceback" not in err


def test_wrong_kind_and_bad_fields_are_named(tmp_path):
    run_dir = make_run(tmp_path, samples=70)
    path = run_dir / "run.json"
    doc = json.loads(path.read_text())
    path.write_text(json.dumps({**doc, "kind": "something-else"}))
    with pytest.raises(InputFileError, match=r"run\.json"):
        load_run(run_dir)
    path.write_text(json.dumps({**doc, "findings": [{"kind": "x"}]}))
    with pytest.raises(InputFileError, match="malformed finding"):
        load_run(run_dir)


def test_histograms_rebuilt_from_samples_or_named_when_both_missing(tmp_path):
    with_samples = make_run(tmp_path / "a", samples=700, write_histograms=False)
    data = load_run(with_samples)
    assert sum(h.total().count for h in data.hists.stages.values()) == 700
    assert build_report(with_samples).bottleneck.stage == "dispatch"
    bare = make_run(tmp_path / "b", samples=70, write_histograms=False, write_samples=False)
    with pytest.raises(InputFileError, match=r"histograms\.json"):
        load_run(bare)


def test_malformed_histograms_json_names_line(tmp_path, capsys):
    run_dir = make_run(tmp_path, samples=70)
    (run_dir / "histograms.json").write_text('{"driftline": 1,\n"kind": \n')
    assert run(["report", str(run_dir)]) == 2
    assert "histograms.json:" in capsys.readouterr().err


def test_db_without_ticket_table_or_missing_file_is_exit_2(tmp_path, capsys, sqlite_url):
    import sqlalchemy as sa

    run_dir = make_run(tmp_path, samples=70)
    missing = tmp_path / "missing.db"
    assert run(["report", str(run_dir), "--db", str(missing)]) == 2
    assert "missing.db" in capsys.readouterr().err
    assert not missing.exists()
    engine = sa.create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE other (id INTEGER)")
    engine.dispose()
    assert run(["report", str(run_dir), "--db", sqlite_url]) == 2
    err = capsys.readouterr().err
    assert "ticket table" in err and "Traceback" not in err


def test_unreachable_db_is_exit_2(tmp_path, capsys):
    run_dir = make_run(tmp_path, samples=70)
    assert run(["report", str(run_dir), "--db", "postgresql://nobody:secret@127.0.0.1:1/x"]) == 2
    err = capsys.readouterr().err
    assert "127.0.0.1" in err and "secret" not in err
