"""Inline suppression: ``-- driftline: ignore RULE reason`` on a statement's line or the line above.

A suppression needs a reason; one without does not suppress and is itself reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MARK = re.compile(r"--\s*driftline:\s*ignore\s+(?P<rule>[\w.-]+)(?:[ \t]+(?P<reason>\S.*?))?\s*$")


@dataclass(frozen=True)
class Suppression:
    line: int
    rule: str
    reason: str | None


def canonical(rule: str) -> str:
    """``lint.no_where`` and ``no-where`` name the same rule."""
    return rule.removeprefix("lint.").replace("_", "-").lower()


def find(source: str) -> dict[int, list[Suppression]]:
    marks: dict[int, list[Suppression]] = {}
    for number, line in enumerate(source.splitlines(), start=1):
        match = _MARK.search(line)
        if match:
            marks.setdefault(number, []).append(
                Suppression(number, canonical(match["rule"]), match["reason"])
            )
    return marks


def for_statement(marks: dict[int, list[Suppression]], line: int) -> list[Suppression]:
    return marks.get(line, []) + marks.get(line - 1, [])
