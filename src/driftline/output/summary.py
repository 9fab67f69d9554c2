"""Counting findings by severity, shared by every format."""

from __future__ import annotations

from collections.abc import Sequence

from driftline.findings import Finding, Severity


def counts(findings: Sequence[Finding]) -> dict[str, int]:
    result = {s.label: 0 for s in sorted(Severity, reverse=True)}
    for f in findings:
        result[f.severity.label] += 1
    return result


def sentence(findings: Sequence[Finding]) -> str:
    """``2 errors, 1 warning, 0 info`` or ``no findings``."""
    if not findings:
        return "no findings"
    c = counts(findings)
    parts = []
    for label, n in c.items():
        noun = label if label == "info" or n == 1 else f"{label}s"
        parts.append(f"{n} {noun}")
    return ", ".join(parts)
