"""JUnit XML: a testsuite per run, a testcase per finding; a passing case when there are none."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from driftline.findings import Finding, Severity
from driftline.output.text import visible, visible_finding


def render(findings: Sequence[Finding], title: str, fail_on: Severity) -> str:
    # XML 1.0 cannot hold most control characters at all, escaped or not
    title = visible(title)
    findings = [visible_finding(f) for f in findings]
    failing = [f for f in findings if f.severity >= fail_on]
    suite = ET.Element(
        "testsuite",
        name=title,
        tests=str(max(1, len(findings))),
        failures=str(len(failing)),
        errors="0",
        skipped="0",
    )
    if not findings:
        ET.SubElement(suite, "testcase", classname=title, name="no drift")
    for f in findings:
        case = ET.SubElement(suite, "testcase", classname=f"{title}.{f.kind}", name=f.object)
        if f.file:
            case.set("file", f.file)
        if f.line:
            case.set("line", str(f.line))
        text = f.message + (f"\nfix: {f.fix}" if f.fix else "")
        if f.severity >= fail_on:
            failure = ET.SubElement(
                case, "failure", message=f"[{f.severity.label}] {f.message}", type=f.kind
            )
            failure.text = text
        else:
            out = ET.SubElement(case, "system-out")
            out.text = f"[{f.severity.label}] {text}"
    suites = ET.Element("testsuites", name="driftline")
    suites.append(suite)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, "unicode") + "\n"
