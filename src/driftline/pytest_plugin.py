"""pytest plugin: assert, inside a project's own test suite, that its database matches baselines.

Registered under the ``pytest11`` entry point, so installing driftline is enough. Options::

    --driftline-baseline FILE   a schema or plan baseline (repeatable; ini: driftline_baseline)
    --driftline-db URL          the database to check (ini: driftline_db)
    --driftline-fail-on LEVEL   error (default), warning or info (ini: driftline_fail_on)

Fixtures:

``driftline_db_url``
    The URL from ``--driftline-db``; override it in a conftest to check the database your suite
    builds itself.
``driftline_baselines``
    The baseline files given, as paths.
``driftline_schema_check`` / ``driftline_plan_check``
    Callables ``check(db_url=None, baseline=None, *, fail_on=None)`` that assert the database
    matches every configured baseline of that kind (or the one passed) and return the findings
    below the threshold. A mismatch fails the test with the findings table and their fixes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from driftline.findings import Finding, Severity
from driftline.testing import assert_matches_baseline, baseline_kind

Check = Callable[..., list[Finding]]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("driftline", "driftline database baselines")
    group.addoption(
        "--driftline-baseline",
        action="append",
        default=[],
        metavar="FILE",
        dest="driftline_baseline",
        help="schema or plan baseline the database must match (repeatable)",
    )
    group.addoption(
        "--driftline-db",
        default=None,
        metavar="URL",
        dest="driftline_db",
        help="database the driftline fixtures check (password never printed)",
    )
    group.addoption(
        "--driftline-fail-on",
        default=None,
        metavar="LEVEL",
        dest="driftline_fail_on",
        help="fail on findings at or above: error (default), warning, info",
    )
    parser.addini("driftline_baseline", "driftline baselines the database must match", "paths")
    parser.addini("driftline_db", "database URL the driftline fixtures check", default=None)
    parser.addini("driftline_fail_on", "driftline --fail-on level", default="error")


def pytest_report_header(config: pytest.Config) -> str | None:
    baselines = _baselines(config)
    if not baselines:
        return None
    return "driftline baselines: " + ", ".join(str(p) for p in baselines)


def _baselines(config: pytest.Config) -> list[Path]:
    given = config.getoption("driftline_baseline") or []
    if given:
        return [
            Path(p) if Path(p).is_absolute() else config.invocation_params.dir / p for p in given
        ]
    return [Path(p) for p in config.getini("driftline_baseline")]


def _fail_on(config: pytest.Config) -> Severity:
    value = config.getoption("driftline_fail_on") or config.getini("driftline_fail_on") or "error"
    return Severity.parse(value)


@pytest.fixture
def driftline_db_url(pytestconfig: pytest.Config) -> str:
    """The database to check: ``--driftline-db`` or the ``driftline_db`` ini value."""
    url = pytestconfig.getoption("driftline_db") or pytestconfig.getini("driftline_db")
    if not url:
        pytest.fail(
            "driftline: no database to check; pass --driftline-db URL, set driftline_db in the "
            "pytest ini, or override the driftline_db_url fixture",
            pytrace=False,
        )
    return str(url)


@pytest.fixture
def driftline_baselines(pytestconfig: pytest.Config) -> list[Path]:
    """Baseline files from ``--driftline-baseline`` (or the ``driftline_baseline`` ini value)."""
    return _baselines(pytestconfig)


def _checker(kind: str, request: pytest.FixtureRequest) -> Check:
    config = request.config

    def check(
        db_url: str | None = None,
        baseline: str | Path | None = None,
        *,
        fail_on: Severity | str | None = None,
    ) -> list[Finding]:
        __tracebackhide__ = True
        url = db_url or request.getfixturevalue("driftline_db_url")
        threshold = Severity.parse(fail_on) if fail_on is not None else _fail_on(config)
        if baseline is not None:
            paths = [Path(baseline)]
        else:
            paths = [p for p in _baselines(config) if baseline_kind(p) == kind]
            if not paths:
                pytest.fail(
                    f"driftline: no {kind} baseline given; pass --driftline-baseline FILE "
                    f"or call the fixture with baseline=…",
                    pytrace=False,
                )
        findings: list[Finding] = []
        for path in paths:
            findings += assert_matches_baseline(url, path, fail_on=threshold)
        return findings

    return check


@pytest.fixture
def driftline_schema_check(request: pytest.FixtureRequest) -> Check:
    """Assert the database matches its schema baseline(s); returns the findings below the bar."""
    return _checker("schema", request)


@pytest.fixture
def driftline_plan_check(request: pytest.FixtureRequest) -> Check:
    """Assert the key queries' plans match their plan baseline(s)."""
    return _checker("plans", request)
