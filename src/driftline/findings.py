"""Finding: the one result type of every check (schema, plan, lint, stress, drill)."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from driftline.errors import UsageError


class Severity(enum.IntEnum):
    """Ordered: ``Severity.ERROR > Severity.WARNING > Severity.INFO``."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, value: str | Severity) -> Severity:
        if isinstance(value, Severity):
            return value
        try:
            return cls[value.strip().upper()]
        except KeyError:
            raise UsageError.unknown("severity", value, [s.label for s in cls]) from None

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, order=True)
class Finding:
    """One thing a check found.

    ``kind`` is a stable machine name (``index.missing``, ``plan.full_scan``, ``lint.no_where``);
    ``object`` names what it is about (``index public.ticket_status_log.ix_…``); ``fix`` is SQL or
    an instruction that repairs it (printed, never applied). ``file``/``line`` locate it in an
    input file when there is one; ``source`` names the database or file it came from (redacted).
    """

    severity: Severity
    kind: str
    object: str
    message: str
    fix: str | None = None
    file: str | None = None
    line: int | None = None
    source: str | None = None
    details: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity.label
        return {k: v for k, v in data.items() if v not in (None, {}, [])}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        values = dict(data)
        values["severity"] = Severity.parse(values["severity"])
        return cls(**values)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Most severe first, then by kind and object: a deterministic order for every output."""
    return sorted(
        findings, key=lambda f: (-f.severity, f.kind, f.object, f.file or "", f.line or 0)
    )


def worst(findings: Iterable[Finding]) -> Severity | None:
    return max((f.severity for f in findings), default=None)


def exit_code_for(findings: Iterable[Finding], fail_on: Severity | str = Severity.ERROR) -> int:
    """0 when nothing is at or above ``fail_on``, else 1 (the design's exit-code contract)."""
    threshold = Severity.parse(fail_on)
    top = worst(findings)
    return 1 if top is not None and top >= threshold else 0
