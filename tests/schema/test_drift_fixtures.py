"""Golden drift folders: before.sql → baseline, after.sql → live, the findings expected.

Each case runs on every dialect its expected.yaml names, each on a fresh real database. The
expected findings include each one's fix text per dialect, and the fixes are then run: the
database must check clean afterwards.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from driftline import dialects
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


def _statements(path: Path) -> list[str]:
    return [s for s in path.read_text().split(";") if s.strip()]


def _run(url: str, statements: list[str], autocommit: bool = False) -> None:
    engine = make_engine(url, **({"isolation_level": "AUTOCOMMIT"} if autocommit else {}))
    with engine.begin() if not autocommit else engine.connect() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
    engine.dispose()


@pytest.mark.parametrize(("case", "dialect"), CASES, ids=[f"{c}-{d}" for c, d in CASES])
def test_drift_case(case, dialect, tmp_path):
    folder = FIXTURES / case
    expected = yaml.safe_load((folder / "expected.yaml").read_text())["findings"]
    server = "sqlite" if dialect == "sqlite" else require_server(dialect)
    with scratch_database(server, prefix="dl_drift", directory=tmp_path) as url:
        _run(url, _statements(folder / "before.sql"))
        snapshot(url, tmp_path / "baseline.yaml")
        assert check(url, tmp_path / "baseline.yaml") == []
        _run(url, _statements(folder / "after.sql"))
        findings = check(url, tmp_path / "baseline.yaml")
        got = sorted((f.kind, f.severity.label, f.object, f.fix) for f in findings)
        assert len(got) == len(expected), got
        for want in expected:
            assert any(
                k == want["kind"]
                and s == want["severity"]
                and o.endswith(want["object_endswith"])
                and fix == want["fix"][dialect]
                for k, s, o, fix in got
            ), (want, got)
        # and the fixes repair it: each statement on its own, as a DBA would paste them
        ddl = dialects.get(dialect).ddl
        _run(url, [s for f in findings for s in ddl.split(f.fix or "")], autocommit=True)
        assert check(url, tmp_path / "baseline.yaml") == []
