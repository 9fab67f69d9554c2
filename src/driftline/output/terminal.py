"""Rich rendering of findings for people: a table when it fits, a list when the terminal is narrow.

Nothing is broken inside a word or a kind: the table is used only when every kind, every word of
every object and every word of every message and fix fits its column; otherwise (80 columns, the
width of a piped CI log, is the usual case) each finding is a short block whose text wraps at
spaces. Findings from several databases (a fleet) name their database.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console, Group, RenderableType
from rich.text import Text

from driftline.findings import Finding, Severity
from driftline.output.summary import sentence
from driftline.output.text import visible, visible_finding

if TYPE_CHECKING:  # a clean run prints one line: tables load when there are findings
    from rich.table import Table

STYLES = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
SEVERITY_W = 8
#: The message column is never narrower than this in the table layout.
MIN_MESSAGE_W = 20


def print_findings(
    console: Console, findings: Sequence[Finding], *, title: str, fail_on: Severity
) -> None:
    title = visible(title)
    if not findings:
        console.print(Text(f"✓ {title}: no findings", style="green"))
        return
    console.print(findings_renderable(findings, title=title, width=console.width))
    failing = sum(1 for f in findings if f.severity >= fail_on)
    verdict = (
        Text(f"✗ {failing} at or above {fail_on.label}", style="bold red")
        if failing
        else Text(f"✓ nothing at or above {fail_on.label}", style="green")
    )
    console.print(Text(f"{sentence(findings)} — ").append(verdict))


def findings_renderable(findings: Sequence[Finding], *, title: str, width: int) -> RenderableType:
    """The table if it fits ``width`` without breaking a word, else the list. Every text is
    a :class:`Text`, never markup: a name like ``[bold]x`` is shown as written."""
    findings = [visible_finding(f) for f in findings]
    title = visible(title)
    sources = {f.source for f in findings if f.source}
    by_source = len(sources) > 1
    table = _table(findings, title, width, by_source)
    return table if table is not None else _list(findings, title, by_source)


def _longest_word(*texts: str | None) -> int:
    return max((len(w) for t in texts if t for w in t.split()), default=0)


def _where(f: Finding) -> str:
    return f"{f.file}:{f.line}" if f.file and f.line else (f.file or "")


def _table(findings: Sequence[Finding], title: str, width: int, by_source: bool) -> Table | None:
    kind_w = max(len("kind"), *(len(f.kind) for f in findings))
    object_w = max(len("object"), *(_longest_word(f.object) for f in findings))
    message_w = max(
        MIN_MESSAGE_W, *(_longest_word(f.message, f.fix, _where(f), "fix:") for f in findings)
    )
    source_w = max(len("database"), *(len(f.source or "") for f in findings)) if by_source else 0
    columns = 4 + (1 if by_source else 0)
    needed = SEVERITY_W + kind_w + object_w + message_w + source_w + 3 * columns + 1
    if needed > width:
        return None
    spare = width - needed
    object_w += spare * 2 // 5
    message_w += spare - spare * 2 // 5
    from rich.table import Table

    table = Table(title=Text(title), title_justify="left", show_lines=True)
    table.add_column("severity", no_wrap=True, width=SEVERITY_W)
    if by_source:
        table.add_column("database", no_wrap=True, width=source_w)
    table.add_column("kind", no_wrap=True, width=kind_w)
    table.add_column("object", width=object_w)
    table.add_column("message / fix", width=message_w)
    for f in findings:
        cells: list[RenderableType] = [Text(f.severity.label, style=STYLES[f.severity])]
        if by_source:
            cells.append(Text(f.source or ""))
        cells += [Text(f.kind), Text(f.object), _body(f)]
        table.add_row(*cells)
    return table


def _body(f: Finding) -> Text:
    body = Text(f.message)
    if _where(f):
        body.append(f"\n{_where(f)}", style="dim")
    if f.fix:
        body.append("\nfix: ", style="bold")
        body.append(f.fix, style="green")
    return body


def _list(findings: Sequence[Finding], title: str, by_source: bool) -> Group:
    from rich.padding import Padding

    parts: list[RenderableType] = [Text(title, style="bold")]
    for f in findings:
        head = Text()
        head.append(f.severity.label, style=STYLES[f.severity])
        head.append("  ")
        head.append(f.kind, style="bold")
        if by_source and f.source:
            head.append(f"  {f.source}", style="magenta")
        body = Text(f.object)
        body.append("\n")
        body.append_text(_body(f))
        parts += [Text(""), head, Padding(body, (0, 0, 0, 2), expand=False)]
    parts.append(Text(""))
    return Group(*parts)
