"""A read-only session hands its connection back to the pool ready for writing.

Drills read (schema and plan checks) and write (the fault's DDL) through one engine, so a
session setting that outlived the read-only block made the next write fail on MariaDB with
"Cannot execute statement in a READ ONLY transaction"."""

from __future__ import annotations

import contextlib

import pytest

from driftline.db import make_engine, read_only
from driftline.scratch import scratch_database
from tests.conftest import require_server


@pytest.mark.parametrize(
    "dialect",
    [
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
    ],
)
@pytest.mark.parametrize("fails", [False, True], ids=["read", "failed read"])
def test_a_write_after_a_read_only_block_succeeds(dialect, fails, tmp_path):
    server = "sqlite" if dialect == "sqlite" else require_server(dialect)
    with scratch_database(server, prefix="dl_test", directory=tmp_path) as url:
        engine = make_engine(url)  # one connection, handed from the reader to the writer
        try:
            expected = pytest.raises(RuntimeError) if fails else contextlib.nullcontext()
            with expected, read_only(engine) as conn:
                conn.exec_driver_sql("SELECT 1")
                if fails:
                    raise RuntimeError("the reader failed")
            with engine.begin() as conn:
                conn.exec_driver_sql("CREATE TABLE written (a int)")
                conn.exec_driver_sql("INSERT INTO written VALUES (1)")
            with engine.connect() as conn:
                assert conn.exec_driver_sql("SELECT count(*) FROM written").scalar() == 1
                assert engine.pool.checkedout() == 1 and engine.pool.size() >= 1
        finally:
            engine.dispose()
