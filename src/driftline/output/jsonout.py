"""JSON: ``{"driftline": 1, "kind": "findings", "title", "fail_on", "summary", "findings"}``."""

from __future__ import annotations

import json
from collections.abc import Sequence

from driftline.findings import Finding, Severity
from driftline.output.summary import counts


def render(findings: Sequence[Finding], title: str, fail_on: Severity) -> str:
    doc = {
        "driftline": 1,
        "kind": "findings",
        "title": title,
        "fail_on": fail_on.label,
        "summary": counts(findings),
        "findings": [f.to_dict() for f in findings],
    }
    return json.dumps(doc, indent=2, sort_keys=False, default=str) + "\n"
