"""The private PostgreSQL cluster: settings applied, password enforced, restart, cleanup."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from driftline.db import make_engine
from driftline.errors import RunError
from driftline.pgcluster import PgCluster, data_dir_port, find_bindir


def _one(url: str, sql: str):
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql(sql).scalar()
    finally:
        engine.dispose()


def test_bindir_has_the_server_programs():
    assert (find_bindir() / "initdb").is_file()


def test_cluster_lifecycle_settings_password_restart_cleanup():
    cluster = PgCluster(settings={"work_mem": "7MB"}, password="p@ss w'rd")
    with cluster:
        url = cluster.url()
        assert data_dir_port(cluster.data_dir) == cluster.port
        assert _one(url, "SHOW work_mem") == "7MB"
        started = _one(url, "SELECT pg_postmaster_start_time()")
        wrong = sa.engine.make_url(url).set(password="wrong").render_as_string(False)
        with pytest.raises(sa.exc.OperationalError, match="password authentication failed"):
            _one(wrong, "SELECT 1")
        cluster.restart()
        assert _one(url, "SELECT pg_postmaster_start_time()") > started
        assert _one(url, "SHOW work_mem") == "7MB"
        base = cluster.base
    assert base is not None and not base.exists()
    with pytest.raises(RunError, match="not started"):
        cluster.url()
