"""The lint cache answers a run it has seen (same files, options and code) without parsing, and
never answers a different run: the CLI runs in a fresh interpreter, as CI runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

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
    entry.write_text('{"format": "driftline-lint-cache 1", "findings": [{"severity": 7}]}')
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
