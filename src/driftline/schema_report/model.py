"""The daily baseline report as data: what was checked, when, and what drifted.

Rendering (markdown, HTML) and sending (webhook) only read a :class:`DailyReport`; building one
from a live database is :func:`driftline.schema_report.build.build_report`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from driftline.findings import Finding, Severity, exit_code_for, sort_findings, worst
from driftline.output.summary import counts, sentence

#: The report's verdicts, from best to worst.
STATUSES = ("clean", "drift", "failing")


@dataclass(frozen=True)
class CriticalObject:
    """One SLA-critical object named in the baseline and the worst finding about it, if any."""

    name: str
    finding: Finding | None = None

    @property
    def ok(self) -> bool:
        return self.finding is None


@dataclass(frozen=True)
class DailyReport:
    """One day's comparison of a live database against its committed baseline."""

    database: str
    baseline: str
    generated_at: datetime
    findings: tuple[Finding, ...]
    fail_on: Severity = Severity.ERROR
    dialect: str | None = None
    server_version: str | None = None
    elapsed_s: float | None = None
    tables: int | None = None
    indexes: int | None = None
    critical: tuple[CriticalObject, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "findings", tuple(sort_findings(self.findings)))

    @property
    def exit_code(self) -> int:
        """What ``driftline schema check`` would exit with: 0, or 1 at/above ``fail_on``."""
        return exit_code_for(self.findings, self.fail_on)

    @property
    def status(self) -> str:
        """``clean`` (no findings), ``drift`` (findings below ``fail_on``) or ``failing``."""
        if not self.findings:
            return "clean"
        return "failing" if self.exit_code else "drift"

    @property
    def counts(self) -> dict[str, int]:
        return counts(self.findings)

    @property
    def headline(self) -> str:
        """One line for chat: ``driftline: prod-db matches baseline.yaml`` or what drifted."""
        if not self.findings:
            return f"driftline: {self.database} matches {self.baseline}"
        top = worst(self.findings)
        label = top.label if top else "info"
        return (
            f"driftline: {self.database} drifted from {self.baseline} — {sentence(self.findings)}"
            f" ({self.status}: worst is {label})"
        )

    @property
    def critical_drifted(self) -> list[CriticalObject]:
        return [c for c in self.critical if not c.ok]

    def summary(self, *, max_findings: int = 20) -> dict[str, Any]:
        """The webhook's JSON body: versioned, deterministic key order, ``text`` for chat tools."""
        shown = self.findings[:max_findings]
        return {
            "driftline": 1,
            "kind": "schema-report",
            "text": self.headline,
            "status": self.status,
            "exit_code": self.exit_code,
            "fail_on": self.fail_on.label,
            "database": self.database,
            "baseline": self.baseline,
            "dialect": self.dialect,
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "summary": self.counts,
            "critical": {
                "total": len(self.critical),
                "drifted": [c.name for c in self.critical_drifted],
            },
            "findings": [f.to_dict() for f in shown],
            "findings_omitted": len(self.findings) - len(shown),
        }


def critical_status(
    names: Sequence[str], findings: Sequence[Finding]
) -> tuple[CriticalObject, ...]:
    """Pair each critical object name with the worst finding about it.

    A finding is about ``public.t.ix`` when its ``object`` is that name, optionally prefixed by
    its kind (``index public.t.ix``), or when it is a finding about a column or index *of* a
    critical table (``public.t.col``).
    """
    result = []
    ordered = sort_findings(findings)
    for name in names:
        match = next((f for f in ordered if _is_about(f.object, name)), None)
        result.append(CriticalObject(name, match))
    return tuple(result)


def _is_about(obj: str, name: str) -> bool:
    bare = obj.split(" ", 1)[1] if " " in obj else obj
    return bare == name or bare.startswith(f"{name}.") or bare.startswith(f"{name}(")


__all__ = ["STATUSES", "CriticalObject", "DailyReport", "critical_status"]
