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


def _rt_history(path) -> str:
    """RT's Transactions table with the columns the history stage reads, and its index."""
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE Transactions (id INTEGER PRIMARY KEY, ObjectType TEXT, ObjectId INTEGER, "
        "Type TEXT, Field TEXT, OldValue TEXT, NewValue TEXT, Creator INTEGER, Created TEXT)"
    )
    conn.execute("CREATE INDEX transactions1 ON Transactions (ObjectType, ObjectId)")
    conn.executemany(
        "INSERT INTO Transactions (ObjectType, ObjectId, Type, Creator, Created) "
        "VALUES ('RT::Ticket', ?, 'Create', 1, '2026-12-01 10:00:00')",
        [(i,) for i in range(1, 51)],
    )
    conn.commit()
    conn.close()
    return f"sqlite:///{path}"


def _under_fault_drill(tmp_path, url):
    from driftline.drills.runner import DrillOptions
    from driftline.drills.system import _Drill, drill_parts

    rt = load_system("rt")
    index, stage = drill_parts(rt, "index-drop")
    options = DrillOptions(db=url, out=tmp_path, target="http://127.0.0.1:1", duration_s=5.0)
    engine = make_engine(url)
    drill = _Drill("index-drop", options, rt, index, stage, tmp_path, engine, lambda _m: None)
    return drill, index_fault.index_ddl(engine, index.name, index.table)


def test_stress_run_stopped_under_the_fault_puts_the_index_back(tmp_path, monkeypatch):
    from driftline.drills.system import _Drill

    url = _rt_history(tmp_path / "rt.db")
    drill, dropped = _under_fault_drill(tmp_path, url)

    def interrupted(self, *_args):
        assert "transactions1" not in _indexes(tmp_path / "rt.db")  # the fault is in
        raise KeyboardInterrupt

    monkeypatch.setattr(_Drill, "stress", interrupted)
    try:
        with pytest.raises(KeyboardInterrupt):
            drill.under_fault(dropped, {}, healthy_ms=1.0)
    finally:
        drill.engine.dispose()
    assert "transactions1" in _indexes(tmp_path / "rt.db")


def test_a_failed_restore_keeps_the_drills_error_and_names_restore_sql(tmp_path, monkeypatch):
    """The restore fails too: the line still says what stopped the drill, then what is left."""
    from driftline.drills.system import _Drill
    from driftline.drills.undo import RestoreFailed
    from driftline.errors import RunError

    url = _rt_history(tmp_path / "rt.db")
    drill, dropped = _under_fault_drill(tmp_path, url)

    def run_fails_and_table_is_gone(self, *_args):
        with self.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE Transactions")
        raise RunError("the target stopped answering")

    monkeypatch.setattr(_Drill, "stress", run_fails_and_table_is_gone)
    try:
        with pytest.raises(RestoreFailed) as caught:
            drill.under_fault(dropped, {}, healthy_ms=1.0)
    finally:
        drill.engine.dispose()
    message = str(caught.value)
    assert message.startswith("the target stopped answering; then the fault could not be undone")
    assert "no such table" in message
    assert f"run {tmp_path / 'restore.sql'} against sqlite:///" in message
    assert caught.value.exit_code == 2


def _small_rt_adapter(tmp_path):
    """RT's adapter with a SQLite seed of a few hundred rows (and no plan queries)."""
    import yaml

    from driftline.systems.load import resolve

    source = resolve("rt")
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["thresholds"] = str((source.parent / data["thresholds"]).resolve())
    del data["queries"]
    critical = data["database"]["critical_index"]
    del critical["query"]
    critical["rows"] = {"sqlite": 300}
    critical["seed"] = {
        "sqlite": "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < :rows) "
        "INSERT INTO Transactions (ObjectType, ObjectId, Type, Creator, Created) "
        "SELECT 'RT::Ticket', -n, 'Comment', 1, '2026-12-01' FROM g"
    }
    path = tmp_path / "rt-small.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return load_system(str(path))


def test_an_interrupted_system_drill_leaves_neither_the_fault_nor_the_seeded_rows(
    tmp_path, monkeypatch
):
    from driftline.drills import system as system_drill
    from driftline.drills.runner import DrillOptions

    url = _rt_history(tmp_path / "rt.db")
    seen: list[tuple[int, bool]] = []

    def interrupted(self, *_args):
        conn = sqlite3.connect(tmp_path / "rt.db")
        rows = conn.execute("SELECT COUNT(*) FROM Transactions").fetchone()[0]
        conn.close()
        seen.append((rows, "transactions1" in _indexes(tmp_path / "rt.db")))
        raise KeyboardInterrupt

    monkeypatch.setattr(system_drill, "preflight", lambda _system, _options: None)
    monkeypatch.setattr(system_drill._Drill, "stress", interrupted)
    options = DrillOptions(db=url, out=tmp_path / "out", target="http://127.0.0.1:1")
    with pytest.raises(KeyboardInterrupt):
        system_drill.run_system_drill("index-drop", options, _small_rt_adapter(tmp_path))
    assert seen == [(300, False)]  # seeded, and the index dropped, when Ctrl-C came
    assert "transactions1" in _indexes(tmp_path / "rt.db")
    conn = sqlite3.connect(tmp_path / "rt.db")
    assert conn.execute("SELECT COUNT(*) FROM Transactions").fetchone()[0] == 50
    conn.close()
