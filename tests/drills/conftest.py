"""Drill databases prepared once per session at drill volume, copied for each test.

SQLite: the prepared file is copied. PostgreSQL: each test gets ``CREATE DATABASE … TEMPLATE``.
"""

from __future__ import annotations

import shutil
import uuid

import pytest

from driftline.drills.runner import VOLUME, prepare
from driftline.scratch import create_database, drop_database
from tests.conftest import require_server


@pytest.fixture(scope="session")
def prepared_sqlite(tmp_path_factory):
    path = tmp_path_factory.mktemp("drill-template") / "refsys.db"
    prepare(f"sqlite:///{path}", VOLUME["sqlite"][0], lambda _m: None)
    return path


@pytest.fixture
def drill_sqlite_url(prepared_sqlite, tmp_path):
    target = tmp_path / "refsys.db"
    shutil.copy(prepared_sqlite, target)
    return f"sqlite:///{target}"


@pytest.fixture(scope="session")
def prepared_pg():
    server = require_server("postgresql")
    name = f"dl_drill_tpl_{uuid.uuid4().hex[:8]}"
    url = create_database(server, name)
    prepare(url, VOLUME["postgresql"][0], lambda _m: None)
    yield name
    drop_database(server, name)


@pytest.fixture
def drill_pg_url(prepared_pg):
    import sqlalchemy as sa

    from driftline.db import make_engine

    server = require_server("postgresql")
    name = f"dl_drill_{uuid.uuid4().hex[:8]}"
    admin = make_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{prepared_pg}"'))
    admin.dispose()
    url = sa.engine.make_url(server).set(database=name).render_as_string(hide_password=False)
    yield url
    drop_database(server, name)
