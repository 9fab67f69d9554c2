"""The real Request Tracker 5 that ``.ci/install-rt`` installs (marker ``rt``): on PostgreSQL
(``rt``) and, a second instance of the same RT, on MariaDB (``rt_mysql``).

RT that does not answer skips these tests locally and FAILS them on CI: on CI, skipping is not
passing. ``DRIFTLINE_RT_URL``, ``DRIFTLINE_RT_DB``, ``DRIFTLINE_RT_MYSQL_URL``,
``DRIFTLINE_RT_MYSQL_DB`` and ``DRIFTLINE_RT_PASSWORD`` override the install script's defaults.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import httpx
import pytest

ON_CI = bool(os.environ.get("CI"))


@dataclass(frozen=True)
class RT:
    url: str
    db: str
    user: str
    password: str

    def env(self) -> dict[str, str]:
        return {"DRIFTLINE_TARGET_USER": self.user, "DRIFTLINE_TARGET_PASSWORD": self.password}


def _answering(server: RT) -> RT:
    """``server`` when its REST API answers; else a skip (locally) or a failure (on CI)."""
    try:
        answer = httpx.get(
            f"{server.url}/REST/2.0/rt", auth=(server.user, server.password), timeout=20
        )
        problem = None if answer.status_code == 200 else f"HTTP {answer.status_code}"
    except httpx.HTTPError as exc:
        problem = type(exc).__name__
    if problem:
        message = f"Request Tracker at {server.url} does not answer ({problem}); see .ci/install-rt"
        if ON_CI:
            pytest.fail(message)
        pytest.skip(message)
    return server


def _server(name: str, url: str, db: str) -> RT:
    """An RT instance: ``DRIFTLINE_<name>_URL`` and ``_DB`` override the install script's."""
    return _answering(
        RT(
            url=os.environ.get(f"DRIFTLINE_{name}_URL", url),
            db=os.environ.get(f"DRIFTLINE_{name}_DB", db),
            user="driftline",
            password=os.environ.get("DRIFTLINE_RT_PASSWORD", "driftline-rt-local"),
        )
    )


@pytest.fixture(scope="session")
def rt() -> RT:
    """RT on the shared PostgreSQL."""
    return _server(
        "RT", "http://127.0.0.1:8093", "postgresql://postgres@127.0.0.1:5432/driftline_rt"
    )


@pytest.fixture(scope="session")
def rt_mysql() -> RT:
    """The second instance of the same RT, on the shared MariaDB."""
    return _server(
        "RT_MYSQL", "http://127.0.0.1:8094", "mysql://root@127.0.0.1:3306/driftline_rt_mysql"
    )
