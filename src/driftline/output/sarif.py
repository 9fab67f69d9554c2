"""SARIF 2.1.0, for code-scanning dashboards: one rule per finding kind."""

from __future__ import annotations

import json
from collections.abc import Sequence

from driftline import __version__
from driftline.findings import Finding, Severity

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _result(f: Finding) -> dict:
    result: dict = {
        "ruleId": f.kind,
        "level": LEVELS[f.severity],
        "message": {"text": f"{f.object}: {f.message}" + (f"\nfix: {f.fix}" if f.fix else "")},
        "properties": {"object": f.object},
    }
    if f.file:
        region = {"startLine": f.line} if f.line else {}
        result["locations"] = [
            {"physicalLocation": {"artifactLocation": {"uri": f.file}, "region": region or None}}
        ]
        if not region:
            del result["locations"][0]["physicalLocation"]["region"]
    if f.fix:
        result["properties"]["fix"] = f.fix
    return result


def render(findings: Sequence[Finding], title: str, fail_on: Severity) -> str:
    kinds = sorted({f.kind for f in findings})
    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "driftline",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/driftline/",
                        "rules": [{"id": k, "name": k} for k in kinds],
                    }
                },
                "automationDetails": {"id": title},
                "results": [_result(f) for f in findings],
            }
        ],
    }
    return json.dumps(doc, indent=2) + "\n"
