"""Differential test beside migra (PyPI ``migra``, PostgreSQL): the one-change cases of
``test_one_change_postgresql`` applied in groups of unrelated changes; every object migra's
migration script names must appear in driftline's findings or its "not compared" lines.
Changes migra does not see (a sequence's INCREMENT, for one) are counted and printed."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from driftline.db import make_engine
from driftline.schema import diff_schemas, inspect
from driftline.scratch import scratch_database
from tests.conftest import ON_CI, require_server
from tests.schema.test_one_change_postgresql import BASE, CASES, NOT_COMPARED

GROUPS = [
    ["table without columns added", "extension added", "sequence added", "view added",
     "materialized view added", "check added", "unique added", "foreign key added",
     "column collation", "row level security", "function added", "enum added",
     "collation added", "schema added", "foreign key not valid", "sequence ownership",
     "NOT NULL column without default added"],
    ["table without columns dropped", "extension dropped", "sequence dropped", "view dropped",
     "materialized view dropped", "unique dropped", "foreign key on delete cascade",
     "check renamed", "NOT NULL added", "identity mode", "function dropped", "procedure added",
     "domain added", "index collation"],
    ["extension version", "sequence increment", "view changed", "check not valid",
     "nextval default dropped on NOT NULL", "nextval default added", "operator class",
     "unlogged", "partition detached", "trigger added", "policy added",
     "foreign key deferrable"],
    ["sequence type", "foreign key on update", "check changed", "default dropped on NOT NULL",
     "type narrowed", "operator class of a gin index", "partition attached"],
]  # fmt: skip
CHANGES = {c[0]: c[1] for c in CASES + NOT_COMPARED}
_NAMED = re.compile(r'\b(?:constraint|column|index|trigger|policy)\s+"([^"]+)"', re.I)
_QUOTED = re.compile(r'"([^"]+)"')


def test_groups_cover_every_case():
    grouped = [name for group in GROUPS for name in group]
    assert sorted(grouped) == sorted(CHANGES) and len(set(grouped)) == len(grouped)


def _migra() -> str:
    beside = Path(sys.executable).parent / "migra"  # the venv's, even when it is not on PATH
    path = str(beside) if beside.exists() else shutil.which("migra")
    if path is None:
        message = "migra is not installed (pip install -e '.[test]')"
        if ON_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


def _psycopg2(url: str) -> str:
    return sa.engine.make_url(url).set(drivername="postgresql+psycopg2").render_as_string(False)


def _objects(script: str) -> list[tuple[str, str]]:
    """(statement, the object it changes) for each statement of migra's script."""
    out = []
    for statement in (s.strip() for s in script.split(";")):
        if not statement:
            continue
        named = _NAMED.findall(statement)
        quoted = [q for q in _QUOTED.findall(statement) if q != "public"]
        if named or quoted:
            out.append((statement, named[0] if named else quoted[0]))
    return out


@pytest.fixture(scope="module")
def before():
    with scratch_database(require_server("postgresql"), prefix="dl_migra") as url:
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql(BASE)
        engine.dispose()
        yield url, inspect(url)


@pytest.mark.parametrize("group", range(len(GROUPS)), ids=[f"{g[0]}+{len(g) - 1}" for g in GROUPS])
def test_every_object_migra_changes_is_a_driftline_finding(before, group):
    migra = _migra()
    url_a, schema_a = before
    with scratch_database(require_server("postgresql"), prefix="dl_migra") as url_b:
        engine = make_engine(url_b)
        with engine.begin() as conn:
            conn.exec_driver_sql(BASE)
            for name in GROUPS[group]:
                conn.exec_driver_sql(CHANGES[name])
        engine.dispose()
        done = subprocess.run([migra, "--unsafe", _psycopg2(url_a), _psycopg2(url_b)],
                              capture_output=True, text=True, timeout=300)  # fmt: skip
        findings = diff_schemas(schema_a, inspect(url_b))
    assert done.returncode in (0, 2), done.stderr[-2000:]  # 2: migra found changes
    said = " ".join(f"{f.object} {f.message}" for f in findings)
    unnamed = [(s, o) for s, o in _objects(done.stdout) if o not in said]
    assert unnamed == [], unnamed
    real = [f for f in findings if f.kind != "not_compared"]
    assert done.returncode == 2 or real == []
    migra_objects = {o for _, o in _objects(done.stdout)}
    beyond = sorted({f.object for f in real if not any(o in f.object for o in migra_objects)})
    print(f"group {group}: migra {len(migra_objects)} objects; driftline {len(real)} findings; "
          f"driftline only: {beyond}")  # fmt: skip
