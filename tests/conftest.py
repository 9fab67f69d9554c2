"""Shared fixtures: a fresh real database per test, on SQLite, PostgreSQL and MariaDB.

A server that cannot be reached skips the test locally but FAILS it on CI (``CI`` set): on CI,
skipping is not passing.
"""

from __future__ import annotations

import os
import tempfile

import pytest
import sqlalchemy as sa

from driftline.db import make_engine
from driftline.scratch import DEFAULT_SERVERS, scratch_database

ON_CI = bool(os.environ.get("CI"))
#: derived caches (parsed baselines) go to a directory of this session, not the user's
_CACHE = tempfile.TemporaryDirectory(prefix="driftline-test-cache-")
os.environ["DRIFTLINE_CACHE_DIR"] = _CACHE.name
_reachable: dict[str, str | None] = {}


def _server_problem(dialect: str) -> str | None:
    """None when the server answers, else why not (cached per session)."""
    if dialect not in _reachable:
        engine = make_engine(DEFAULT_SERVERS[dialect])
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
            _reachable[dialect] = None
        except sa.exc.SQLAlchemyError as exc:
            _reachable[dialect] = str(exc.orig if hasattr(exc, "orig") else exc).splitlines()[0]
        finally:
            engine.dispose()
    return _reachable[dialect]


def require_server(dialect: str) -> str:
    """The admin URL of a reachable server; fail on CI, skip elsewhere, when it is down."""
    problem = _server_problem(dialect)
    if problem:
        message = f"{dialect} server {DEFAULT_SERVERS[dialect]} unreachable: {problem}"
        if ON_CI:
            pytest.fail(message)
        pytest.skip(message)
    return DEFAULT_SERVERS[dialect]


@pytest.fixture(autouse=True, scope="session")
def _lint_cache_in_a_temp_dir(tmp_path_factory):
    """The lint cache of the CLI runs under test lives in the session's temp dir, not ~/.cache."""
    cache = str(tmp_path_factory.mktemp("lint-cache"))
    previous = os.environ.get("DRIFTLINE_CACHE_DIR")
    os.environ["DRIFTLINE_CACHE_DIR"] = cache
    yield
    if previous is None:
        os.environ.pop("DRIFTLINE_CACHE_DIR", None)
    else:
        os.environ["DRIFTLINE_CACHE_DIR"] = previous


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def pg_url():
    with scratch_database(require_server("postgresql"), prefix="dl_test") as url:
        yield url


@pytest.fixture
def mysql_url():
    with scratch_database(require_server("mysql"), prefix="dl_test") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def any_db_url(request, tmp_path):
    """A fresh database of each dialect in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    with scratch_database(require_server(request.param), prefix="dl_test") as url:
        yield url
