"""Nothing silent on MariaDB and SQLite: each one-change case is a finding or a "not compared"
line. MariaDB DDL is not transactional, so cases run in fresh databases, a few unrelated changes
each (which also proves views compare clean when the database name differs); SQLite cases each
get a fresh file."""

from __future__ import annotations

import sqlite3

import pytest

from driftline.db import make_engine
from driftline.schema import diff_schemas, inspect
from driftline.scratch import scratch_database
from tests.conftest import require_server

MYSQL_BASE = """
CREATE TABLE parent (id INT AUTO_INCREMENT PRIMARY KEY, code VARCHAR(8) NOT NULL DEFAULT 'x',
  name VARCHAR(40), CONSTRAINT ck_code CHECK (CHAR_LENGTH(code) < 10));
CREATE TABLE child (id INT PRIMARY KEY, parent_id INT NOT NULL, note VARCHAR(20),
  CONSTRAINT fk_child_parent FOREIGN KEY (parent_id) REFERENCES parent (id));
CREATE TABLE loose (id INT PRIMARY KEY, v INT);
CREATE UNIQUE INDEX ux_parent_code ON parent (code);
CREATE VIEW v_parent AS
  SELECT p.id, p.code, c.note FROM parent p JOIN child c ON c.parent_id = p.id;
CREATE PROCEDURE p_one() SELECT 1;
"""

MYSQL_CASES = [
    (0, "nothing", "SELECT 1", []),
    (1, "check added", "ALTER TABLE child ADD CONSTRAINT ck_note CHECK (note <> '')",
     [("check.unexpected", "child.ck_note", "warning")]),
    (2, "check dropped", "ALTER TABLE parent DROP CONSTRAINT ck_code",
     [("check.missing", "parent.ck_code", "warning")]),
    (2, "unique index added", "CREATE UNIQUE INDEX ux_child_note ON child (note)",
     [("index.unexpected", "child.ux_child_note", "warning")]),
    (1, "unique index dropped", "DROP INDEX ux_parent_code ON parent",
     [("index.missing", "parent.ux_parent_code", "warning")]),
    (4, "foreign key added", "ALTER TABLE loose ADD CONSTRAINT fk_loose FOREIGN KEY (v)"
     " REFERENCES parent (id)",
     [("foreign_key.unexpected", "loose.fk_loose", "warning"),
      ("index.unexpected", "loose.fk_loose", "info")]),
    (3, "foreign key on delete cascade", "ALTER TABLE child DROP FOREIGN KEY fk_child_parent;"
     "ALTER TABLE child ADD CONSTRAINT fk_child_parent FOREIGN KEY (parent_id)"
     " REFERENCES parent (id) ON DELETE CASCADE",
     [("foreign_key.changed", "child.fk_child_parent", "warning")]),
    (5, "foreign key on update", "ALTER TABLE child DROP FOREIGN KEY fk_child_parent;"
     "ALTER TABLE child ADD CONSTRAINT fk_child_parent FOREIGN KEY (parent_id)"
     " REFERENCES parent (id) ON UPDATE CASCADE",
     [("foreign_key.changed", "child.fk_child_parent", "warning")]),
    (1, "column collation", "ALTER TABLE parent MODIFY name VARCHAR(40) COLLATE utf8mb4_bin",
     [("column.collation_changed", "parent.name", "warning")]),
    (3, "default dropped on NOT NULL", "ALTER TABLE parent ALTER code DROP DEFAULT",
     [("column.default_changed", "parent.code", "warning")]),
    (2, "auto_increment dropped", "ALTER TABLE parent MODIFY id INT NOT NULL",
     [("column.identity_changed", "parent.id", "warning")]),
    (4, "NOT NULL added", "ALTER TABLE child MODIFY note VARCHAR(20) NOT NULL",
     [("column.nullability_changed", "child.note", "warning")]),
    (5, "type narrowed", "ALTER TABLE child MODIFY note VARCHAR(10)",
     [("column.type_changed", "child.note", "warning")]),
    (4, "generated column added", "ALTER TABLE loose ADD COLUMN g INT AS (v * 2) VIRTUAL",
     [("column.unexpected", "loose.g", "info")]),
    (1, "view added", "CREATE VIEW v_two AS SELECT 1 AS one",
     [("view.unexpected", "v_two", "info")]),
    (2, "view dropped", "DROP VIEW v_parent", [("view.missing", "v_parent", "warning")]),
    (3, "view changed", "CREATE OR REPLACE VIEW v_parent AS SELECT p.id, p.code, c.note"
     " FROM parent p JOIN child c ON c.parent_id = p.id WHERE p.id > 0",
     [("view.changed", "v_parent", "warning")]),
    (1, "engine", "ALTER TABLE loose ENGINE = MyISAM",
     [("table.option_changed", "table loose", "warning")]),
    (2, "table collation", "ALTER TABLE loose COLLATE utf8mb4_bin",
     [("table.option_changed", "table loose", "warning")]),
    (3, "partitioned", "ALTER TABLE loose PARTITION BY HASH (id) PARTITIONS 2",
     [("table.option_changed", "table loose", "warning")]),
]  # fmt: skip

MYSQL_NOT_COMPARED = [
    (1, "function added", "CREATE FUNCTION f_one() RETURNS INT DETERMINISTIC RETURN 1",
     "functions", "f_one"),
    (2, "procedure dropped", "DROP PROCEDURE p_one", "procedures",
     "gone since the baseline: p_one"),
    (2, "sequence added", "CREATE SEQUENCE s_one", "sequences", "s_one"),
    (3, "trigger added", "CREATE TRIGGER t_one BEFORE INSERT ON loose FOR EACH ROW SET NEW.v = 1",
     "triggers", "t_one"),
    (1, "event added", "CREATE EVENT e_one ON SCHEDULE EVERY 1 DAY DO SELECT 1", "events", "e_one"),
]  # fmt: skip

SQLITE_BASE = """
CREATE TABLE parent (id INTEGER PRIMARY KEY, code TEXT NOT NULL DEFAULT 'x', name TEXT,
  CONSTRAINT ck_code CHECK (length(code) < 10));
CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL, note TEXT,
  CONSTRAINT fk_child_parent FOREIGN KEY (parent_id) REFERENCES parent (id));
CREATE INDEX ix_parent_name ON parent (name);
CREATE VIEW v_parent AS SELECT id, code FROM parent;
"""
_CHILD = "DROP TABLE child; CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL,"
_PARENT = "DROP TABLE parent; CREATE TABLE parent (id INTEGER PRIMARY KEY, "
_PARENT_REST = (
    ", name TEXT, CONSTRAINT ck_code CHECK (length(code) < 10));"
    "CREATE INDEX ix_parent_name ON parent (name)"
)

SQLITE_CASES = [
    ("nothing", "SELECT 1", []),
    ("check added", f"{_CHILD} note TEXT, CONSTRAINT fk_child_parent FOREIGN KEY (parent_id)"
     " REFERENCES parent (id), CONSTRAINT ck_note CHECK (note <> ''))",
     [("check.unexpected", "child.ck_note", "warning")]),
    ("foreign key on delete cascade", f"{_CHILD} note TEXT, CONSTRAINT fk_child_parent"
     " FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE)",
     [("foreign_key.changed", "child.fk(parent_id)", "warning")]),
    ("foreign key deferrable", f"{_CHILD} note TEXT, CONSTRAINT fk_child_parent"
     " FOREIGN KEY (parent_id) REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)",
     [("foreign_key.changed", "child.fk(parent_id)", "warning")]),
    ("foreign key dropped", f"{_CHILD} note TEXT)",
     [("foreign_key.missing", "child.fk(parent_id)", "warning")]),
    ("column collation", f"{_CHILD} note TEXT COLLATE NOCASE, CONSTRAINT fk_child_parent"
     " FOREIGN KEY (parent_id) REFERENCES parent (id))",
     [("column.collation_changed", "child.note", "warning")]),
    ("strict", f"{_CHILD} note TEXT, CONSTRAINT fk_child_parent FOREIGN KEY (parent_id)"
     " REFERENCES parent (id)) STRICT",
     [("table.option_changed", "table child", "warning")]),
    ("default dropped on NOT NULL", f"{_PARENT}code TEXT NOT NULL{_PARENT_REST}",
     [("column.default_changed", "parent.code", "warning")]),
    ("generated column added", "ALTER TABLE child ADD COLUMN g INTEGER AS (parent_id * 2)",
     [("column.unexpected", "child.g", "info")]),
    ("unique index added", "CREATE UNIQUE INDEX ux_child_note ON child (note)",
     [("index.unexpected", "child.ux_child_note", "warning")]),
    ("view added", "CREATE VIEW v_two AS SELECT 1 AS one", [("view.unexpected", "v_two", "info")]),
    ("view dropped", "DROP VIEW v_parent", [("view.missing", "v_parent", "warning")]),
]  # fmt: skip


def _run(url: str, script: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        for statement in script.split(";"):
            if statement.strip():
                conn.exec_driver_sql(statement)
    engine.dispose()


def _real(findings):
    real = [f for f in findings if f.kind != "not_compared"]
    return sorted((f.kind, f.object, f.severity.label) for f in real)


def _assert_exactly(got, expected):
    assert len(got) == len(expected), got
    for kind, suffix, severity in expected:
        assert any(k == kind and o.endswith(suffix) and s == severity for k, o, s in got), got


@pytest.fixture(scope="module")
def mysql_baseline():
    with scratch_database(require_server("mysql"), prefix="dl_onechange") as url:
        _run(url, MYSQL_BASE.replace("CREATE PROCEDURE p_one() SELECT 1;", ""))
        _run(url, "CREATE PROCEDURE p_one() SELECT 1")
        return inspect(url)


#: MariaDB DDL is slow and not transactional: changes to unrelated objects share a database
GROUPS = sorted({c[0] for c in MYSQL_CASES + MYSQL_NOT_COMPARED})


def _group_ids(group: int) -> str:
    return "+".join(c[1] for c in MYSQL_CASES + MYSQL_NOT_COMPARED if c[0] == group)


@pytest.mark.parametrize("group", GROUPS, ids=[_group_ids(g) for g in GROUPS])
def test_mysql_one_change_each(mysql_baseline, group):
    with scratch_database(require_server("mysql"), prefix="dl_onechange") as url:
        _run(url, MYSQL_BASE.replace("CREATE PROCEDURE p_one() SELECT 1;", ""))
        _run(url, "CREATE PROCEDURE p_one() SELECT 1")
        for case in MYSQL_CASES + MYSQL_NOT_COMPARED:
            if case[0] == group:
                for statement in case[2].split(";"):
                    _run(url, statement)
        findings = diff_schemas(mysql_baseline, inspect(url))
    expected = [e for c in MYSQL_CASES if c[0] == group for e in c[3]]
    _assert_exactly(_real(findings), expected)
    for _, _, _, obj, named in (c for c in MYSQL_NOT_COMPARED if c[0] == group):
        [line] = [f for f in findings if f.object == obj]
        assert line.message.startswith("not compared:") and named in line.message


@pytest.mark.parametrize(
    ("case", "change", "expected"), SQLITE_CASES, ids=[c[0] for c in SQLITE_CASES]
)
def test_sqlite_one_change(tmp_path, case, change, expected):
    before, after = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    _run(before, SQLITE_BASE)
    _run(after, SQLITE_BASE)
    _run(after, change)
    _assert_exactly(_real(diff_schemas(inspect(before), inspect(after))), expected)


def test_sqlite_trigger_is_named_not_compared(tmp_path):
    before, after = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    _run(before, SQLITE_BASE)
    _run(after, SQLITE_BASE)
    with sqlite3.connect(tmp_path / "b.db") as raw:
        raw.execute("CREATE TRIGGER t_one AFTER INSERT ON child BEGIN SELECT 1; END")
    raw.close()
    [line] = diff_schemas(inspect(before), inspect(after))
    assert line.kind == "not_compared" and "t_one" in line.message
