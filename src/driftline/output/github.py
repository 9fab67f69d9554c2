"""GitHub Actions workflow commands: one annotation per finding."""

from __future__ import annotations

from collections.abc import Sequence

from driftline.findings import Finding, Severity
from driftline.output.text import visible

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(value: str) -> str:
    # the runner reads ``%``, CR and LF; an ESC would colour the log
    return visible(value).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(value: str) -> str:
    return _data(value).replace(":", "%3A").replace(",", "%2C")


def render(findings: Sequence[Finding], title: str, fail_on: Severity) -> str:
    lines = []
    for f in findings:
        props = [f"title={_prop(f'{f.kind}: {f.object}')}"]
        if f.file:
            props.insert(0, f"file={_prop(f.file)}")
            if f.line:
                props.insert(1, f"line={f.line}")
        message = f.message + (f"\nfix: {f.fix}" if f.fix else "")
        lines.append(f"::{COMMANDS[f.severity]} {','.join(props)}::{_data(message)}")
    return "\n".join(lines) + ("\n" if lines else "")
