"""The parts of ``drill index-drop --system``: the index's own DDL read back from the server and
restored, the table seeded to the adapter's volume and cleaned, the adapter copy with the
calibrated deadline, and the usage errors that stop a drill before it touches anything."""

from __future__ import annotations

import sqlite3

import pytest

from driftline.cli import run
from driftline.db import make_engine
from driftline.drills import index_fault
from driftline.drills.system import adapter_with_deadline, seed, unseed
from driftline.errors import UsageError
from driftline.systems.load import load_system
from driftline.systems.model import CriticalIndex


def _history(path) -> str:
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE Transactions (id INTEGER PRIMARY KEY, ObjectType TEXT, ObjectId INTEGER)"
    )
    conn.execute("CREATE INDEX transactions1 ON Transactions (ObjectType, ObjectId)")
    conn.executemany(
        "INSERT INTO Transactions (ObjectType, ObjectId) VALUES (?, ?)",
        [("RT::Ticket", i) for i in range(1, 11)],
    )
    conn.commit()
    conn.close()
    return f"sqlite:///{path}"


def _indexes(path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()
    finally:
        conn.close()
    return [r[0] for r in rows]


def test_index_is_dropped_and_restored_from_its_own_ddl(tmp_path):
    engine = make_engine(_history(tmp_path / "rt.db"))
    try:
        dropped = index_fault.index_ddl(engine, "TRANSACTIONS1", "transactions")
        assert dropped.create == (
            'CREATE INDEX IF NOT EXISTS "transactions1" ON "Transactions" '
            '("objecttype", "objectid")'
        )
        index_fault.drop(engine, dropped)
        assert "transactions1" not in _indexes(tmp_path / "rt.db")
        with pytest.raises(UsageError, match="does not exist in the database"):
            index_fault.index_ddl(engine, "transactions1", "Transactions")
        index_fault.restore(engine, dropped)
        index_fault.restore(engine, dropped)  # twice is harmless
        assert "transactions1" in _indexes(tmp_path / "rt.db")
    finally:
        engine.dispose()


def test_seed_adds_only_the_missing_rows_and_unseed_removes_them(tmp_path):
    engine = make_engine(_history(tmp_path / "rt.db"))
    index = CriticalIndex(
        "transactions1",
        "Transactions",
        rows={"*": 500},
        seed={
            "*": "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < :rows) "
            "INSERT INTO Transactions (ObjectType, ObjectId) SELECT 'RT::Ticket', -n FROM g"
        },
        unseed={"sqlite": "DELETE FROM Transactions WHERE ObjectId < 0"},
    )
    said: list[str] = []
    try:
        first = seed(engine, index, said.append)
        assert first.rows == 490 and "seeding 490 rows" in said[0]
        assert seed(engine, index, said.append).rows == 0  # enough rows now: nothing added
        unseed(engine, index)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT COUNT(*) FROM Transactions").scalar() == 10
    finally:
        engine.dispose()


def test_adapter_copy_has_the_deadline_and_works_from_elsewhere(tmp_path):
    rt = load_system("rt")
    copy = adapter_with_deadline(rt, "history", 37, tmp_path / "rt.drill.yaml")
    loaded = load_system(str(copy))
    assert loaded.stage("history").deadline_s == pytest.approx(0.037)
    assert loaded.stage("dispatch").deadline_s == rt.stage("dispatch").deadline_s
    assert loaded.thresholds and loaded.queries
    assert (copy.parent / loaded.thresholds).is_file() and (copy.parent / loaded.queries).is_file()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["query-timeout", "--system", "rt"], "runs against the reference system only"),
        (["index-drop", "--system", "rt"], "needs --target URL and --db URL"),
    ],
)
def test_usage_errors_before_anything_is_touched(tmp_path, capsys, args, words):
    assert run(["drill", *args, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and words in err[0], err
    assert list(tmp_path.iterdir()) == []
