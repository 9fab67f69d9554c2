"""The lint cache answers a run it has seen (same files, options and code) without parsing, goes
on from an earlier run whose files the new run begins with, and never answers a different run:
the CLI runs in a fresh interpreter, as CI runs it."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import ClassVar

import pytest

from driftline.lint import LintRun, lint_files, resume
from driftline.lint.cache import FORMAT, cached
from driftline.lint.engine import lint_text, new_state
from driftline.lint.state import State
from driftline.schema.baseline import load_baseline
from tests.lint.rt_upgrades import upgrade_files as _files

MIGRATION = (
    "CREATE INDEX ix_a ON t (a);\nDELETE FROM t;\nALTER TABLE t ALTER COLUMN b SET NOT NULL;\n"
)

_PROBE = """
import json, sys
from driftline.cli import run
code = run(sys.argv[1:])
sys.stdout.flush()
print("\\n" + json.dumps({"code": code, "sqlglot": "sqlglot" in sys.modules}))
"""


def lint(cache: Path, *argv: str, **env: str) -> tuple[int, list[dict], bool]:
    """Exit code, findings (JSON) and whether sqlglot was imported, in a fresh interpreter."""
    environ = {k: v for k, v in os.environ.items() if k != "DRIFTLINE_NO_CACHE"}
    environ |= {"DRIFTLINE_CACHE_DIR": str(cache), **env}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, "lint", "-f", "json", *argv],
        capture_output=True, text=True, timeout=120, env=environ, check=False,
    )  # fmt: skip
    *report, probe = done.stdout.strip().splitlines()
    result = json.loads(probe)
    findings = json.loads("\n".join(report))["findings"] if report else []
    return result["code"], findings, result["sqlglot"]


@pytest.fixture
def migration(tmp_path: Path) -> Path:
    path = tmp_path / "0001.sql"
    path.write_text(MIGRATION)
    return path


def test_a_repeated_run_is_answered_without_parsing(tmp_path, migration):
    cache = tmp_path / "cache"
    first = lint(cache, str(migration), "--large-table", "t")
    second = lint(cache, str(migration), "--large-table", "t")
    assert first[2] is True and second[2] is False  # the second run parsed nothing
    assert first[:2] == second[:2]
    assert first[0] == 1 and {f["kind"] for f in first[1]} == {
        "lint.no_where", "lint.index_not_concurrently", "lint.table_rewrite",
    }  # fmt: skip
    assert len(list((cache / "lint").glob("*.json"))) == 1
    assert oct((cache / "lint").stat().st_mode & 0o777) == "0o700"
    assert all(oct(p.stat().st_mode & 0o777) == "0o600" for p in (cache / "lint").glob("*.json"))


def test_a_changed_file_option_or_baseline_is_linted_again(tmp_path, migration):
    cache = tmp_path / "cache"
    big = lint(cache, str(migration), "--large-table", "t")
    small = lint(cache, str(migration))
    assert small[2] is True
    assert [f["kind"] for f in small[1]] == ["lint.no_where"]
    migration.write_text(MIGRATION.replace("DELETE FROM t;", "DELETE FROM t WHERE a = 1;"))
    changed = lint(cache, str(migration), "--large-table", "t")
    assert changed[2] is True
    assert {f["kind"] for f in changed[1]} == {f["kind"] for f in big[1]} - {"lint.no_where"}
    baseline = Path(__file__).with_name("baseline.yaml")
    with_baseline = lint(cache, str(migration), "--large-table", "t", "-b", str(baseline))
    assert with_baseline[2] is True
    assert len(list((cache / "lint").glob("*.json"))) == 4


def test_a_damaged_entry_is_a_miss(tmp_path, migration):
    cache = tmp_path / "cache"
    first = lint(cache, str(migration))
    (entry,) = (cache / "lint").glob("*.json")
    entry.write_text(json.dumps({"format": FORMAT, "findings": [{"severity": 7}]}))
    again = lint(cache, str(migration))
    assert again[2] is True and again[:2] == first[:2]


def test_failed_and_uncached_runs_store_nothing(tmp_path, migration):
    cache = tmp_path / "cache"
    bad = tmp_path / "latin1.sql"
    bad.write_bytes(b"-- caf\xe9\nDELETE FROM t;\n")
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-m", "driftline", "lint", str(bad)],
            capture_output=True, text=True, timeout=120, check=False,
            env={**os.environ, "DRIFTLINE_CACHE_DIR": str(cache)},
        )  # fmt: skip
        assert done.returncode == 2
    assert lint(cache, str(migration), "--rule", "no-such-rule")[0] == 2
    assert lint(cache, str(migration), DRIFTLINE_NO_CACHE="1")[2] is True
    assert lint(cache, str(migration), "--no-cache")[2] is True
    assert lint(cache, str(migration), DRIFTLINE_CACHE_DIR="")[2] is True
    assert not cache.exists() or list((cache / "lint").glob("*.json")) == []


#: RT's upgrade scripts for MySQL, linted as RT's loader runs them (see test_rt_upgrades): with
#: every table taken as large, most files' findings depend on the tables earlier files created
RT_DIALECT = "mysql"
RT_OPTIONS = {"dialect": RT_DIALECT, "hash_comments": True, "large_tables": ["*"]}


class Recording(LintRun):
    """A run that notes which files it was asked to lint."""

    linted: ClassVar[list[list[Path]]] = []

    def lint(self, paths, data=None):  # type: ignore[no-untyped-def]
        paths = list(paths)
        self.linted.append(paths)
        return super().lint(paths, data)


def test_a_run_over_more_files_lints_only_the_new_ones(tmp_path, monkeypatch, upgrade_dir):
    files = _files(upgrade_dir, RT_DIALECT)
    whole = lint_files(files, **RT_OPTIONS)
    assert len(files) > 30 and len(whole) > 10
    # control: linted without what the first files left, the rest reads differently
    half = len(files) // 2
    assert lint_files(files[:half], **RT_OPTIONS) + lint_files(files[half:], **RT_OPTIONS) != whole
    for split in (1, len(files) // 2, len(files) - 1):
        monkeypatch.setenv("DRIFTLINE_CACHE_DIR", str(tmp_path / f"cache{split}"))
        first = cached(files[:split], {}, lambda: Recording(**RT_OPTIONS))
        assert first == lint_files(files[:split], **RT_OPTIONS)
        Recording.linted = []
        assert cached(files, {}, lambda: Recording(**RT_OPTIONS)) == whole
        assert Recording.linted == [files[split:]]
        Recording.linted = []
        assert cached(files, {}, lambda: Recording(**RT_OPTIONS)) == whole
        assert Recording.linted == []  # the whole run is answered as it is


def test_a_run_that_does_not_begin_with_an_earlier_run_is_linted_whole(
    tmp_path, monkeypatch, upgrade_dir
):
    copied = []
    for i, path in enumerate(_files(upgrade_dir, RT_DIALECT)):
        copied.append(tmp_path / "upgrade" / f"{i:03}.sql")
        copied[-1].parent.mkdir(exist_ok=True)
        shutil.copyfile(path, copied[-1])
    monkeypatch.setenv("DRIFTLINE_CACHE_DIR", str(tmp_path / "cache"))
    cached(copied, {}, lambda: Recording(**RT_OPTIONS))
    edited = len(copied) // 3
    with copied[edited].open("a") as f:
        f.write("\nDELETE FROM Tickets;\n")
    Recording.linted = []
    again = cached(copied, {}, lambda: Recording(**RT_OPTIONS))
    assert Recording.linted == [copied]  # the edited file's predecessors ended no earlier run
    assert again == lint_files(copied, **RT_OPTIONS)
    assert "lint.no_where" in {f.kind for f in again if f.file == str(copied[edited])}


def test_other_options_never_go_on_from_a_run(tmp_path, monkeypatch, upgrade_dir):
    files = _files(upgrade_dir, RT_DIALECT)
    monkeypatch.setenv("DRIFTLINE_CACHE_DIR", str(tmp_path / "cache"))
    cached(files[:-1], {"large_tables": ["*"]}, lambda: Recording(**RT_OPTIONS))
    Recording.linted = []
    options = {**RT_OPTIONS, "large_tables": []}
    assert cached(files, {"large_tables": []}, lambda: Recording(**options)) == lint_files(
        files, **options
    )
    assert Recording.linted == [files]


def test_a_state_entry_is_private_and_a_damaged_one_is_a_miss(tmp_path, migration):
    cache = tmp_path / "cache"
    second = migration.with_name("0002.sql")
    second.write_text("UPDATE t SET a = 1;\n")
    lint(cache, str(migration), "--large-table", "t")
    (state,) = (cache / "lint").glob("*.state")
    assert oct(state.stat().st_mode & 0o777) == "0o600"
    state.write_bytes(b"\x00damaged")
    both = lint(cache, str(migration), str(second), "--large-table", "t")
    assert both[2] is True
    assert [f["kind"] for f in both[1]].count("lint.no_where") == 2


def _every_field_set(state: State) -> list[str]:
    """The fields of ``state`` still as a new state has them."""
    fresh = State(state.dialect)
    names = [f.name for f in dataclasses.fields(State) if f.name != "dialect"]
    return [n for n in names if getattr(state, n) == getattr(fresh, n)]


def test_a_state_comes_back_from_its_plain_form_whole():
    baseline = load_baseline(Path(__file__).with_name("baseline.yaml"))
    state = new_state("postgresql", baseline, large_tables=["ticket"], critical=["ticket_pkey"])
    lint_text(
        "SET lock_timeout = '2s';\n"
        "CREATE TABLE audit (id bigint PRIMARY KEY, note text);\n"
        "CREATE INDEX ix_audit_note ON audit (note);\n"
        "CREATE INDEX ix_elsewhere ON somewhere_else (x);\n"
        "ALTER TABLE ticket RENAME TO ticket_v2;\n"
        "CREATE FUNCTION purge(days int) RETURNS void LANGUAGE sql AS $$ DELETE FROM audit $$;\n",
        "0001.sql",
        baseline=baseline,
        state=state,
    )
    assert _every_field_set(state) == []  # so the round trip below covers every field
    back = resume.from_plain(resume.to_plain(state), state.schema)
    assert back == state
    with pytest.raises(ValueError):
        resume.from_plain((resume.FORMAT + 1, *resume.to_plain(state)[1:]), state.schema)
