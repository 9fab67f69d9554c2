"""A real schema that is not ours on all three dialects: Request Tracker 5's vendor DDL, taken
from the Debian package at test time (never committed). Each file is loaded with the database's
own client, snapshotted, dumped (pg_dump, mysqldump, sqlite3 .dump) and restored: the restored
database checks clean, and ``--from-sql`` of the vendor file and of the dump equal the live
snapshot. RT's loader strips ``#`` comments, so the files are read with ``--hash-comments``."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from driftline.cli import run
from driftline.schema import check, diff_schemas, inspect, load_baseline
from driftline.schema.fromsql import schema_from_sql, strip_hash_comments
from driftline.scratch import scratch_database
from tests.conftest import ON_CI, require_server
from tests.schema import dumps
from tests.schema.test_from_sql import _same

FILES = {"postgresql": "schema.Pg", "mysql": "schema.mysql", "sqlite": "schema.SQLite"}
CRITICAL = {"postgresql": "Transactions1", "mysql": "Transactions1", "sqlite": "Transactions1"}


@pytest.fixture(scope="module")
def rt_etc(tmp_path_factory) -> Path:
    """RT 5's etc/ directory, unpacked from ``apt-get download request-tracker5``."""
    where = tmp_path_factory.mktemp("rt5")
    download = ["apt-get", "download", "request-tracker5"]
    try:
        if subprocess.run(download, cwd=where, capture_output=True, timeout=300).returncode:
            # a fresh machine may have no package lists yet
            subprocess.run(["apt-get", "update", "-qq"], capture_output=True, timeout=600)
            subprocess.run(download, cwd=where, check=True, capture_output=True, timeout=300)
        [deb] = where.glob("request-tracker5_*.deb")
        subprocess.run(["dpkg", "-x", str(deb), str(where / "x")], check=True, timeout=300)
    except (OSError, ValueError, subprocess.SubprocessError) as exc:
        message = f"cannot fetch Request Tracker 5 from Debian: {exc}"
        if ON_CI:
            pytest.fail(message)
        pytest.skip(message)
    return where / "x" / "usr" / "share" / "request-tracker5" / "etc"


def _real(findings):
    return [f for f in findings if f.kind != "not_compared"]


@pytest.mark.parametrize("dialect", ["postgresql", "mysql", "sqlite"])
def test_request_tracker_round_trip(rt_etc, tmp_path, dialect):
    vendor = rt_etc / FILES[dialect]
    loadable = tmp_path / "rt.sql"  # what RT's loader sends: the file without '#' comments
    loadable.write_text(strip_hash_comments(vendor.read_text()))
    server = "sqlite" if dialect == "sqlite" else require_server(dialect)
    scratch = None if dialect == "sqlite" else server
    with scratch_database(server, prefix="dl_rt", directory=tmp_path) as url:
        dumps.load(url, loadable)
        live = inspect(url)
        assert len(live.tables) >= 30
        baseline = tmp_path / "rt.yaml"
        extra = [] if scratch is None else ["--scratch-server", scratch]
        assert run(["schema", "snapshot", "--from-sql", str(vendor), "--dialect", dialect,
                    "--hash-comments", "--critical-index", CRITICAL[dialect], *extra,
                    "-o", str(baseline)]) == 0  # fmt: skip
        assert _real(check(url, baseline)) == []
        [critical] = load_baseline(baseline).critical_indexes
        assert critical.lower().endswith("transactions.transactions1")
        full = dumps.dump(url, tmp_path / "dump.sql")
    _same(schema_from_sql(full, dialect, scratch).schema, live)
    with scratch_database(server, prefix="dl_rt_restored", directory=tmp_path) as url:
        dumps.load(url, full)
        assert _real(diff_schemas(live, inspect(url))) == []
