"""Every schema-check fix runs on the real server and leaves the database clean, per dialect."""

from __future__ import annotations

from driftline.scratch import scratch_database
from tests.conftest import require_server
from tests.dialects.roundtrip import round_trip

PG_SETUP = """
CREATE EXTENSION citext;
CREATE TABLE parent (id int PRIMARY KEY, code varchar(8) NOT NULL);
CREATE TABLE t_ixm (id int PRIMARY KEY, s varchar(16) NOT NULL, b int);
CREATE INDEX ix_partial ON t_ixm (s DESC NULLS LAST, lower(s)) WHERE b = 1;
CREATE INDEX ix_ops ON t_ixm (s varchar_pattern_ops) INCLUDE (b);
CREATE TABLE t_ixc (id int PRIMARY KEY, s varchar(16), c int);
CREATE INDEX ix_c ON t_ixc (s);
CREATE TABLE t_ixr (id int PRIMARY KEY, s text);
CREATE UNIQUE INDEX ix_r ON t_ixr (s);
CREATE TABLE t_ixu (id int PRIMARY KEY, s text);
CREATE TABLE t_ixi (id int PRIMARY KEY, s text);
CREATE INDEX ix_i ON t_ixi USING hash (s);
CREATE TABLE t_colm (id int PRIMARY KEY, n int DEFAULT 0);
CREATE TABLE t_colt (id int PRIMARY KEY, s varchar(16));
CREATE TABLE t_coln (id int PRIMARY KEY, s varchar(16) NOT NULL);
CREATE TABLE t_cold (id int PRIMARY KEY, n int DEFAULT 1, s text DEFAULT 'new');
CREATE TABLE t_colc (id int PRIMARY KEY, s text COLLATE "C");
CREATE TABLE t_colu (id int PRIMARY KEY);
CREATE TABLE t_pk (id int NOT NULL, k int NOT NULL, PRIMARY KEY (id));
CREATE TABLE t_fkm (id int PRIMARY KEY, p int CONSTRAINT fk_m REFERENCES parent (id));
CREATE TABLE t_fkc (id int PRIMARY KEY,
  p int CONSTRAINT fk_c REFERENCES parent (id) ON DELETE CASCADE);
CREATE TABLE t_fkr (id int PRIMARY KEY, p int CONSTRAINT fk_r REFERENCES parent (id));
CREATE TABLE t_fku (id int PRIMARY KEY, p int);
CREATE TABLE t_uqm (id int PRIMARY KEY, a int, b int, CONSTRAINT uq_m UNIQUE (a, b));
CREATE TABLE t_uqr (id int PRIMARY KEY, a int, CONSTRAINT uq_r UNIQUE (a));
CREATE TABLE t_uqu (id int PRIMARY KEY, a int);
CREATE TABLE t_ckm (id int PRIMARY KEY, n int, CONSTRAINT ck_m CHECK (n >= 0));
CREATE TABLE t_ckc (id int PRIMARY KEY, n int, CONSTRAINT ck_c CHECK (n >= 0));
CREATE TABLE t_ckr (id int PRIMARY KEY, n int, CONSTRAINT ck_r CHECK (n > 0));
CREATE TABLE t_cku (id int PRIMARY KEY, n int);
CREATE TABLE t_ckv (id int PRIMARY KEY, n int, CONSTRAINT ck_v CHECK (n < 100));
CREATE TABLE t_gone (id int PRIMARY KEY, s varchar(16) NOT NULL DEFAULT 'x',
  p int CONSTRAINT fk_gone REFERENCES parent (id), CONSTRAINT ck_gone CHECK (length(s) > 0));
CREATE INDEX ix_gone ON t_gone (s DESC);
CREATE TABLE t_opt (id int PRIMARY KEY);
CREATE TABLE t_rls (id int PRIMARY KEY);
ALTER TABLE t_rls ENABLE ROW LEVEL SECURITY;
CREATE VIEW v_m AS SELECT id, code FROM parent WHERE id > 0;
CREATE VIEW v_c AS SELECT id FROM parent;
CREATE MATERIALIZED VIEW mv_m AS SELECT id FROM parent;
CREATE MATERIALIZED VIEW mv_c AS SELECT id FROM parent;
CREATE SEQUENCE seq_m START 10 INCREMENT 2;
CREATE SEQUENCE seq_c
"""

PG_DRIFT = """
DROP INDEX ix_partial;
DROP INDEX ix_ops;
DROP INDEX ix_c;
CREATE INDEX ix_c ON t_ixc (c);
ALTER INDEX ix_r RENAME TO ix_r_new;
CREATE INDEX ix_u_extra ON t_ixu (s);
UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'ix_i'::regclass;
ALTER TABLE t_colm DROP COLUMN n;
ALTER TABLE t_colt ALTER COLUMN s TYPE text;
ALTER TABLE t_coln ALTER COLUMN s DROP NOT NULL;
ALTER TABLE t_cold ALTER COLUMN n SET DEFAULT 5;
ALTER TABLE t_cold ALTER COLUMN s DROP DEFAULT;
ALTER TABLE t_colc ALTER COLUMN s TYPE text COLLATE "POSIX";
ALTER TABLE t_colu ADD COLUMN extra int;
ALTER TABLE t_pk DROP CONSTRAINT t_pk_pkey;
ALTER TABLE t_pk ADD PRIMARY KEY (id, k);
ALTER TABLE t_fkm DROP CONSTRAINT fk_m;
ALTER TABLE t_fkc DROP CONSTRAINT fk_c;
ALTER TABLE t_fkc ADD CONSTRAINT fk_c FOREIGN KEY (p) REFERENCES parent (id);
ALTER TABLE t_fkr RENAME CONSTRAINT fk_r TO fk_r_new;
ALTER TABLE t_fku ADD CONSTRAINT fk_u FOREIGN KEY (p) REFERENCES parent (id);
ALTER TABLE t_uqm DROP CONSTRAINT uq_m;
ALTER TABLE t_uqr RENAME CONSTRAINT uq_r TO uq_r_new;
ALTER TABLE t_uqu ADD CONSTRAINT uq_u UNIQUE (a);
ALTER TABLE t_ckm DROP CONSTRAINT ck_m;
ALTER TABLE t_ckc DROP CONSTRAINT ck_c;
ALTER TABLE t_ckc ADD CONSTRAINT ck_c CHECK (n >= 10);
ALTER TABLE t_ckr RENAME CONSTRAINT ck_r TO ck_r_new;
ALTER TABLE t_cku ADD CONSTRAINT ck_u CHECK (n <> 3);
ALTER TABLE t_ckv DROP CONSTRAINT ck_v;
ALTER TABLE t_ckv ADD CONSTRAINT ck_v CHECK (n < 100) NOT VALID;
DROP TABLE t_gone;
CREATE TABLE t_new (id int PRIMARY KEY);
ALTER TABLE t_opt SET UNLOGGED;
ALTER TABLE t_rls DISABLE ROW LEVEL SECURITY;
DROP VIEW v_m;
CREATE OR REPLACE VIEW v_c AS SELECT id FROM parent WHERE id > 5;
CREATE VIEW v_new AS SELECT 1 AS one;
DROP MATERIALIZED VIEW mv_m;
DROP MATERIALIZED VIEW mv_c;
CREATE MATERIALIZED VIEW mv_c AS SELECT id FROM parent WHERE id > 1;
CREATE MATERIALIZED VIEW mv_new AS SELECT 1 AS one;
DROP SEQUENCE seq_m;
ALTER SEQUENCE seq_c INCREMENT 5;
CREATE SEQUENCE seq_new;
DROP EXTENSION citext;
CREATE EXTENSION hstore
"""

PG_KINDS = {
    "index.missing", "index.changed", "index.renamed", "index.unexpected", "index.invalid",
    "column.missing", "column.type_changed", "column.nullability_changed",
    "column.default_changed", "column.collation_changed", "column.unexpected",
    "primary_key.changed", "foreign_key.missing", "foreign_key.changed", "foreign_key.renamed",
    "foreign_key.unexpected", "unique.missing", "unique.renamed", "unique.unexpected",
    "check.missing", "check.changed", "check.renamed", "check.unexpected",
    "check.validity_changed", "table.missing", "table.unexpected", "table.option_changed",
    "view.missing", "view.changed", "view.unexpected", "materialized_view.missing",
    "materialized_view.changed", "materialized_view.unexpected", "sequence.missing",
    "sequence.changed", "sequence.unexpected", "extension.missing", "extension.unexpected",
}  # fmt: skip


def test_every_postgresql_fix_runs_and_repairs(tmp_path):
    with scratch_database(require_server("postgresql"), prefix="dl_fix") as url:
        findings, ran = round_trip(url, PG_SETUP, PG_DRIFT, tmp_path)
    kinds = {f.kind for f in findings}
    assert kinds == PG_KINDS, (kinds - PG_KINDS, PG_KINDS - kinds)
    print(f"postgresql: {len(findings)} findings, {len(kinds)} kinds, {ran} statements")


MYSQL_SETUP = """
CREATE TABLE parent (id int PRIMARY KEY, code varchar(8) NOT NULL);
CREATE TABLE t_ixm (id int PRIMARY KEY, s varchar(64) NOT NULL, b int);
CREATE INDEX ix_desc ON t_ixm (s(10), b DESC);
CREATE TABLE t_ixc (id int PRIMARY KEY, s varchar(16), c int);
CREATE INDEX ix_c ON t_ixc (s);
CREATE TABLE t_ixr (id int PRIMARY KEY, s varchar(16));
CREATE UNIQUE INDEX ix_r ON t_ixr (s);
CREATE TABLE t_ixu (id int PRIMARY KEY, s varchar(16));
CREATE TABLE t_colm (id int PRIMARY KEY, n int DEFAULT 0);
CREATE TABLE t_colt (id int PRIMARY KEY, s varchar(16));
CREATE TABLE t_coln (id int PRIMARY KEY, s varchar(16) NOT NULL);
CREATE TABLE t_cold (id int PRIMARY KEY, n int DEFAULT 1, s varchar(8) DEFAULT 'new');
CREATE TABLE t_colu (id int PRIMARY KEY);
CREATE TABLE t_pk (id int NOT NULL, k int NOT NULL, PRIMARY KEY (id));
CREATE TABLE t_fkm (id int PRIMARY KEY, p int,
  CONSTRAINT fk_m FOREIGN KEY (p) REFERENCES parent (id));
CREATE TABLE t_fkr (id int PRIMARY KEY, p int, KEY ix_fkr (p),
  CONSTRAINT fk_r FOREIGN KEY (p) REFERENCES parent (id));
CREATE TABLE t_ckm (id int PRIMARY KEY, n int, CONSTRAINT ck_m CHECK (n >= 0));
CREATE TABLE t_ckc (id int PRIMARY KEY, n int, CONSTRAINT ck_c CHECK (n >= 0));
CREATE TABLE t_ckr (id int PRIMARY KEY, n int, CONSTRAINT ck_r CHECK (n > 0));
CREATE TABLE t_cku (id int PRIMARY KEY, n int);
CREATE TABLE t_gone (id int PRIMARY KEY, s varchar(16) NOT NULL DEFAULT 'x', p int,
  CONSTRAINT ck_gone CHECK (char_length(s) > 0));
CREATE INDEX ix_gone ON t_gone (s DESC);
CREATE VIEW v_m AS SELECT id, code FROM parent WHERE id > 0;
CREATE VIEW v_c AS SELECT id, GROUP_CONCAT(code ORDER BY code SEPARATOR ',') AS codes
  FROM parent GROUP BY id
"""

MYSQL_DRIFT = """
DROP INDEX ix_desc ON t_ixm;
DROP INDEX ix_c ON t_ixc;
CREATE INDEX ix_c ON t_ixc (c);
ALTER TABLE t_ixr RENAME INDEX ix_r TO ix_r_new;
CREATE INDEX ix_u_extra ON t_ixu (s);
ALTER TABLE t_colm DROP COLUMN n;
ALTER TABLE t_colt MODIFY s text;
ALTER TABLE t_coln MODIFY s varchar(16) NULL;
ALTER TABLE t_cold ALTER COLUMN n SET DEFAULT 5;
ALTER TABLE t_cold ALTER COLUMN s DROP DEFAULT;
ALTER TABLE t_colu ADD COLUMN extra int;
ALTER TABLE t_pk DROP PRIMARY KEY, ADD PRIMARY KEY (id, k);
ALTER TABLE t_fkm DROP FOREIGN KEY fk_m;
ALTER TABLE t_fkr DROP FOREIGN KEY fk_r;
ALTER TABLE t_fkr ADD CONSTRAINT fk_r_new FOREIGN KEY (p) REFERENCES parent (id);
ALTER TABLE t_ckm DROP CONSTRAINT ck_m;
ALTER TABLE t_ckc DROP CONSTRAINT ck_c;
ALTER TABLE t_ckc ADD CONSTRAINT ck_c CHECK (n >= 10);
ALTER TABLE t_ckr DROP CONSTRAINT ck_r;
ALTER TABLE t_ckr ADD CONSTRAINT ck_r_new CHECK (n > 0);
ALTER TABLE t_cku ADD CONSTRAINT ck_u CHECK (n <> 3);
DROP TABLE t_gone;
CREATE TABLE t_new (id int PRIMARY KEY);
DROP VIEW v_m;
CREATE OR REPLACE VIEW v_c AS SELECT id, code AS codes FROM parent;
CREATE VIEW v_new AS SELECT 1 AS one
"""

MYSQL_KINDS = {
    "index.missing", "index.changed", "index.renamed", "index.unexpected",
    "column.missing", "column.type_changed", "column.nullability_changed",
    "column.default_changed", "column.unexpected", "primary_key.changed",
    "foreign_key.missing", "foreign_key.renamed",
    "check.missing", "check.changed", "check.renamed", "check.unexpected",
    "table.missing", "table.unexpected", "view.missing", "view.changed", "view.unexpected",
}  # fmt: skip


def test_every_mariadb_fix_runs_and_repairs(tmp_path):
    with scratch_database(require_server("mysql"), prefix="dl_fix") as url:
        findings, ran = round_trip(url, MYSQL_SETUP, MYSQL_DRIFT, tmp_path)
    kinds = {f.kind for f in findings}
    assert kinds == MYSQL_KINDS, (kinds - MYSQL_KINDS, MYSQL_KINDS - kinds)
    assert all("`" in f.fix and '"' not in f.fix.split("--")[0] for f in findings)
    print(f"mariadb: {len(findings)} findings, {len(kinds)} kinds, {ran} statements")


SQLITE_SETUP = """
CREATE TABLE parent (id INTEGER PRIMARY KEY, code VARCHAR(8) NOT NULL);
CREATE TABLE t_ixm (id INTEGER PRIMARY KEY, s VARCHAR(16) NOT NULL, b INTEGER);
CREATE INDEX ix_partial ON t_ixm (s DESC, lower(s)) WHERE b = 1;
CREATE TABLE t_ixc (id INTEGER PRIMARY KEY, s VARCHAR(16), c INTEGER);
CREATE INDEX ix_c ON t_ixc (s);
CREATE TABLE t_ixr (id INTEGER PRIMARY KEY, s TEXT);
CREATE UNIQUE INDEX ix_r ON t_ixr (s);
CREATE TABLE t_ixu (id INTEGER PRIMARY KEY, s TEXT);
CREATE TABLE t_colm (id INTEGER PRIMARY KEY, n INTEGER DEFAULT 0);
CREATE TABLE t_colt (id INTEGER PRIMARY KEY, s VARCHAR(16));
CREATE INDEX ix_colt ON t_colt (s);
CREATE TABLE t_coln (id INTEGER PRIMARY KEY, s VARCHAR(16) NOT NULL);
CREATE TABLE t_cold (id INTEGER PRIMARY KEY, n INTEGER DEFAULT 1);
CREATE TABLE t_colu (id INTEGER PRIMARY KEY, s TEXT);
CREATE TABLE t_colx (id INTEGER PRIMARY KEY, s TEXT);
CREATE TABLE t_pk (id INTEGER NOT NULL, k INTEGER NOT NULL, PRIMARY KEY (id));
CREATE TABLE t_fkm (id INTEGER PRIMARY KEY, p INTEGER REFERENCES parent (id));
CREATE TABLE t_uqm (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER, UNIQUE (a, b));
CREATE TABLE t_ckm (id INTEGER PRIMARY KEY, n INTEGER, CONSTRAINT ck_m CHECK (n >= 0));
CREATE TABLE t_ckc (id INTEGER PRIMARY KEY, n INTEGER, CONSTRAINT ck_c CHECK (n >= 0));
CREATE TABLE t_gone (id INTEGER PRIMARY KEY, s VARCHAR(16) NOT NULL DEFAULT 'x',
  p INTEGER REFERENCES parent (id), CONSTRAINT ck_gone CHECK (length(s) > 0));
CREATE INDEX ix_gone ON t_gone (s DESC);
CREATE VIEW v_m AS SELECT id, code FROM parent WHERE id > 0;
CREATE VIEW v_c AS SELECT id, code || '-' AS tag FROM parent
"""


def _rebuilt(table: str, definition: str, keep: str = "id") -> str:
    """A hand-made SQLite table rebuild: the way drift usually reaches a SQLite schema."""
    return (
        f"CREATE TABLE {table}_x ({definition});\n"
        f"INSERT INTO {table}_x ({keep}) SELECT {keep} FROM {table};\n"
        f"DROP TABLE {table};\n"
        f"ALTER TABLE {table}_x RENAME TO {table};\n"
    )


SQLITE_DRIFT = (
    """
DROP INDEX ix_partial;
DROP INDEX ix_c;
CREATE INDEX ix_c ON t_ixc (c);
DROP INDEX ix_r;
CREATE UNIQUE INDEX ix_r_new ON t_ixr (s);
CREATE INDEX ix_u_extra ON t_ixu (s);
ALTER TABLE t_colm DROP COLUMN n;
ALTER TABLE t_colu ADD COLUMN extra INTEGER;
CREATE INDEX ix_colx ON t_colx (s);
ALTER TABLE t_colx ADD COLUMN extra INTEGER;
CREATE INDEX ix_colx_extra ON t_colx (extra);
DROP TABLE t_gone;
CREATE TABLE t_new (id INTEGER PRIMARY KEY);
DROP VIEW v_m;
DROP VIEW v_c;
CREATE VIEW v_c AS SELECT id FROM parent;
CREATE VIEW v_new AS SELECT 1 AS one;
"""
    + _rebuilt("t_colt", "id INTEGER PRIMARY KEY, s TEXT", "id, s")
    + "CREATE INDEX ix_colt ON t_colt (s);\n"
    + _rebuilt("t_coln", "id INTEGER PRIMARY KEY, s VARCHAR(16)", "id, s")
    + _rebuilt("t_cold", "id INTEGER PRIMARY KEY, n INTEGER DEFAULT 5")
    + _rebuilt("t_pk", "id INTEGER NOT NULL, k INTEGER NOT NULL, PRIMARY KEY (id, k)", "id, k")
    + _rebuilt("t_fkm", "id INTEGER PRIMARY KEY, p INTEGER", "id, p")
    + _rebuilt("t_uqm", "id INTEGER PRIMARY KEY, a INTEGER, b INTEGER", "id, a, b")
    + _rebuilt("t_ckm", "id INTEGER PRIMARY KEY, n INTEGER")
    + _rebuilt("t_ckc", "id INTEGER PRIMARY KEY, n INTEGER, CONSTRAINT ck_c CHECK (n >= 10)")
)

SQLITE_KINDS = {
    "index.missing", "index.changed", "index.renamed", "index.unexpected",
    "column.missing", "column.type_changed", "column.nullability_changed",
    "column.default_changed", "column.unexpected", "primary_key.changed",
    "foreign_key.missing", "unique.missing", "check.missing", "check.changed",
    "table.missing", "table.unexpected", "view.missing", "view.changed", "view.unexpected",
}  # fmt: skip


def test_every_sqlite_fix_runs_and_repairs(tmp_path):
    url = f"sqlite:///{tmp_path / 'fix.db'}"
    findings, ran = round_trip(url, SQLITE_SETUP, SQLITE_DRIFT, tmp_path)
    kinds = {f.kind for f in findings}
    assert kinds == SQLITE_KINDS, (kinds - SQLITE_KINDS, SQLITE_KINDS - kinds)
    assert not any("ALTER INDEX" in f.fix for f in findings)
    print(f"sqlite: {len(findings)} findings, {len(kinds)} kinds, {ran} statements")
