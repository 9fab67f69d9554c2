"""Golden drift folders: before.sql → baseline, after.sql → live, the findings expected.

Each case runs on every dialect its expected.yaml names, each on a fresh real database.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from driftline.db import make_engine
from driftline.schema import check, snapshot
from driftline.scratch import scratch_database
from tests.conftest import require_server

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "drift"
CASES = [
    (case.name, dialect)
    for case in sorted(p for p in FIXTURES.iterdir() if p.is_dir())
    for dialect in yaml.safe_load((case / "expected.yaml").read_text())["dialects"]
]


def _run(url: str, path: Path) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        for statement in path.read_text().split(";"):
            if statement.strip():
                conn.exec_driver_sql(statement)
    engine.dispose()


@pytest.mark.parametrize(("case", "dialect"), CASES, ids=[f"{c}-{d}" for c, d in CASES])
def test_drift_case(case, dialect, tmp_path):
    folder = FIXTURES / case
    expected = yaml.safe_load((folder / "expected.yaml").read_text())["findings"]
    server = "sqlite" if dialect == "sqlite" else require_server(dialect)
    with scratch_database(server, prefix="dl_drift", directory=tmp_path) as url:
        _run(url, folder / "before.sql")
        snapshot(url, tmp_path / "baseline.yaml")
        assert check(url, tmp_path / "baseline.yaml") == []
        _run(url, folder / "after.sql")
        findings = check(url, tmp_path / "baseline.yaml")
    got = sorted((f.kind, f.severity.label, f.object) for f in findings)
    assert len(got) == len(expected), got
    for want in expected:
        assert any(
            k == want["kind"] and s == want["severity"] and o.endswith(want["object_endswith"])
            for k, s, o in got
        ), (want, got)
