"""What one detector saw during a drill phase."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from driftline.findings import Finding


@dataclass(frozen=True)
class Detection:
    """``fired``: the detector flagged the fault; ``after_s``: seconds from fault to first sign."""

    detector: str
    fired: bool
    summary: str
    first_sign_at: datetime | None = None  # naive UTC; the runner turns it into after_s
    findings: list[Finding] = field(default_factory=list)
    after_s: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "detector": self.detector,
            "fired": self.fired,
            "summary": self.summary,
            "after_s": None if self.after_s is None else round(self.after_s, 1),
            "findings": [f.to_dict() for f in self.findings],
        }
