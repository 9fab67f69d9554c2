"""schema check reads the baseline while the catalog is read: errors stay the ones a user needs."""

from __future__ import annotations

import sqlite3

import pytest

from driftline.errors import BaselineError, ConnectionFailed
from driftline.schema import check, snapshot


def test_a_bad_baseline_is_reported_and_a_good_one_is_compared(tmp_path):
    db = tmp_path / "live.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t (id integer PRIMARY KEY, a int)")
        conn.execute("CREATE INDEX ix_t_a ON t (a)")
    url = f"sqlite:///{db}"
    good = tmp_path / "good.yaml"
    snapshot(url, good)
    assert check(url, good) == []
    bad = tmp_path / "bad.yaml"
    bad.write_text(good.read_text().replace("tables:", "tables: [", 1))
    with pytest.raises(BaselineError, match=r"bad.yaml:\d+:"):
        check(url, bad)


def test_an_unreachable_database_is_reported_with_a_good_baseline(tmp_path):
    good = tmp_path / "good.yaml"
    db = tmp_path / "live.db"
    sqlite3.connect(db).close()
    snapshot(f"sqlite:///{db}", good)
    with pytest.raises(ConnectionFailed):
        check(f"sqlite:///{tmp_path / 'missing.db'}", good)
