"""Emitters for findings. Only this package knows output formats.

Every format is stable and documented in README ("Machine-readable formats")::

    terminal   rich table for people (default), fits 100 columns
    json       {"driftline": 1, "kind": "findings", "title", "summary", "findings": [...]}
    junit      JUnit XML: one testcase per finding, <failure> at or above --fail-on
    sarif      SARIF 2.1.0: one rule per finding kind
    markdown   a GitHub-flavoured table, for PR comments and job summaries
    github     GitHub Actions workflow commands (::error file=…,line=…::…)
"""

from __future__ import annotations

import importlib
import io
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from driftline.errors import UsageError
from driftline.findings import Finding, Severity, sort_findings

if TYPE_CHECKING:  # Rich is imported only when a terminal report is rendered
    from rich.console import Console

Renderer = Callable[[Sequence[Finding], str, Severity], str]

#: format → the module whose ``render`` writes it (imported when that format is asked for)
_TEXT_RENDERERS = {
    "json": "jsonout",
    "junit": "junit",
    "sarif": "sarif",
    "markdown": "markdown",
    "github": "github",
}
FORMATS = ("terminal", *_TEXT_RENDERERS)


def _renderer(fmt: str) -> Renderer:
    module = importlib.import_module(f"driftline.output.{_TEXT_RENDERERS[fmt]}")
    return module.render  # type: ignore[no-any-return]


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise UsageError.unknown("format", fmt, FORMATS)
    return fmt


def render(
    findings: Sequence[Finding],
    fmt: str,
    *,
    title: str = "driftline",
    fail_on: Severity | str = Severity.ERROR,
    width: int = 100,
) -> str:
    """Render findings as text in one of :data:`FORMATS` (terminal output without colour)."""
    check_format(fmt)
    ordered = sort_findings(findings)
    threshold = Severity.parse(fail_on)
    if fmt == "terminal":
        from rich.console import Console

        from driftline.output import terminal

        buffer = io.StringIO()
        console = Console(file=buffer, width=width, color_system=None, force_terminal=False)
        terminal.print_findings(console, ordered, title=title, fail_on=threshold)
        return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())
    return _renderer(fmt)(ordered, title, threshold)


def emit(
    findings: Sequence[Finding],
    fmt: str,
    *,
    console: Console,
    title: str = "driftline",
    fail_on: Severity | str = Severity.ERROR,
) -> None:
    """Write findings to a console: rich rendering for ``terminal``, plain text otherwise."""
    check_format(fmt)
    threshold = Severity.parse(fail_on)
    ordered = sort_findings(findings)
    if fmt == "terminal":
        from driftline.output import terminal

        terminal.print_findings(console, ordered, title=title, fail_on=threshold)
    else:
        console.file.write(_renderer(fmt)(ordered, title, threshold))
        console.file.flush()


__all__ = ["FORMATS", "check_format", "emit", "render"]
