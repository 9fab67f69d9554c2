"""Assertions for a project's own test suite: "this database still matches its baseline".

::

    from driftline.testing import assert_matches_baseline

    def test_schema_has_not_drifted(db_url):
        assert_matches_baseline(db_url, "baselines/app.postgresql.yaml")

A mismatch raises :class:`BaselineMismatch` (an ``AssertionError``) whose message is the findings
table rendered plain at 100 columns, each finding with its fix, so the failure reads the same in
a terminal, a CI log and a JUnit report. The pytest plugin (:mod:`driftline.pytest_plugin`) wraps
this in fixtures and ``--driftline-baseline`` / ``--driftline-db`` options.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from driftline import output
from driftline.db import describe
from driftline.errors import BaselineError
from driftline.findings import Finding, Severity, exit_code_for
from driftline.yamlfile import load_yaml

#: Width of the findings table in failure messages.
WIDTH = 100

Checker = Callable[[str, Path], list[Finding]]


class BaselineMismatch(AssertionError):
    """A database that does not match its baseline; ``findings`` holds every finding."""

    def __init__(self, message: str, findings: Sequence[Finding]) -> None:
        super().__init__(message)
        self.findings = list(findings)


def baseline_kind(path: str | Path) -> str:
    """The ``kind:`` a baseline file declares (``schema``, ``plans``), read with safe loading."""
    doc = load_yaml(path)
    if not isinstance(doc.data, dict) or "driftline" not in doc.data:
        raise BaselineError(path, "not a driftline baseline (no 'driftline: 1' header)")
    kind = doc.data.get("kind")
    if kind not in CHECKERS:
        raise doc.error(
            f"baseline kind {kind!r} cannot be checked (expected one of: {', '.join(CHECKERS)})",
            "kind",
        )
    return str(kind)


def check_baseline(db_url: str, baseline: str | Path) -> list[Finding]:
    """Every finding from comparing the live database with ``baseline`` (schema or plans)."""
    path = Path(baseline)
    return CHECKERS[baseline_kind(path)](db_url, path)


def failure_message(
    findings: Sequence[Finding], *, db_url: str, baseline: str | Path, fail_on: Severity
) -> str:
    """The readable text of a mismatch: one line saying what, then the plain findings table."""
    failing = sum(1 for f in findings if f.severity >= fail_on)
    head = (
        f"{describe(db_url)} does not match {baseline}: "
        f"{failing} finding(s) at or above {fail_on.label}"
    )
    table = output.render(
        findings, "terminal", title=f"driftline: {baseline}", fail_on=fail_on, width=WIDTH
    )
    body = "\n".join(line.rstrip() for line in table.rstrip().splitlines())
    return f"{head}\n\n{body}"


def assert_matches_baseline(
    db_url: str, baseline: str | Path, *, fail_on: Severity | str = Severity.ERROR
) -> list[Finding]:
    """Fail (``BaselineMismatch``) when the database has findings at or above ``fail_on``.

    Returns the findings below the threshold (renames, info), so a test can look at them too.
    Bad input (a malformed baseline, an unreachable database) raises the usual
    :class:`~driftline.errors.DriftlineError`: that is an error in the test, not a mismatch.
    """
    __tracebackhide__ = True
    threshold = Severity.parse(fail_on)
    findings = check_baseline(db_url, baseline)
    if exit_code_for(findings, threshold):
        message = failure_message(findings, db_url=db_url, baseline=baseline, fail_on=threshold)
        raise BaselineMismatch(message, findings)
    return findings


def _check_schema(db_url: str, baseline: Path) -> list[Finding]:
    from driftline.schema import check

    return check(db_url, baseline)


def _check_plans(db_url: str, baseline: Path) -> list[Finding]:
    from driftline.plans.check import check

    # ci=True: a query without a baseline plan fails instead of being recorded into the file.
    return check(db_url, baseline, ci=True).findings


#: Baseline kind → the check that compares a live database with it.
CHECKERS: dict[str, Checker] = {"schema": _check_schema, "plans": _check_plans}

__all__ = [
    "BaselineMismatch",
    "assert_matches_baseline",
    "baseline_kind",
    "check_baseline",
    "failure_message",
]
