from __future__ import annotations

from pathlib import Path

import pytest

from tests.lint.rt_upgrades import fetch_upgrade_dir


@pytest.fixture(scope="session")
def upgrade_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Request Tracker 5's upgrade scripts (see :mod:`tests.lint.rt_upgrades`)."""
    return fetch_upgrade_dir(tmp_path_factory.mktemp("rt"))
