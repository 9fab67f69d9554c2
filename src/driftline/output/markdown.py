"""Markdown: a heading, a summary line and a table; fixes in code spans.

Object names, messages and fixes come from databases and files, so they may hold anything. In a
cell every character that markdown or HTML would interpret becomes a numeric character reference
(``<script>`` shows as text, ``*x*`` stays literal, ``[a](b)`` is no link), ``|`` is escaped for
the table and a line break becomes ``<br>``. Code (a fix) goes in code spans, where nothing is
interpreted, fenced by more backticks than it holds; one span per line, joined by ``<br>``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from driftline.findings import Finding, Severity
from driftline.output.summary import sentence
from driftline.output.text import visible

ICONS = {Severity.ERROR: "🔴", Severity.WARNING: "🟡", Severity.INFO: "🔵"}


#: Characters markdown (GitHub's included) or HTML would interpret, as character references.
_REFERENCES = {ch: f"&#{ord(ch)};" for ch in "&<>\\`*[]~!$@"}
#: ``_`` emphasises only at a word's edge (``ix_a_b`` stays readable in the raw text).
_EDGE_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
_BACKTICKS = re.compile(r"`+")


#: What GitHub turns into a ping or a cross-reference: ``@user``, ``@org/team``, ``#12``,
#: ``owner/repo#12``, ``GH-12``. Its filters skip code, so such a token goes in a code span: it
#: reads and copies exactly as written, where a zero-width joiner would hide in copied names, and
#: a character reference (``&#64;``) is decoded before the filters run, so it would still ping.
_PING = re.compile(r"[\w.-]+/[\w.-]+#\d+|(?<!\w)[@#]\w[\w./-]*|\bGH-\d+", re.IGNORECASE)


def _text(text: str) -> str:
    escaped = _EDGE_UNDERSCORE.sub("&#95;", "".join(_REFERENCES.get(ch, ch) for ch in text))
    return escaped.replace("|", "\\|")


def cell(text: str | None) -> str:
    """Escape a value for a markdown table cell (literal text, one line, pings in code spans)."""
    if not text:
        return ""
    text = visible(text).replace("\r\n", "\n").replace("\r", "\n")
    out, at = [], 0
    for match in _PING.finditer(text):
        out += [_text(text[at : match.start()]), f"`{match.group()}`"]
        at = match.end()
    out.append(_text(text[at:]))
    return "<br>".join("".join(out).split("\n"))


def code(text: str | None) -> str:
    """A value as code (a fix, a name) in a table cell: one code span per line, each fenced
    with more backticks than it holds (so nothing inside is interpreted), joined by ``<br>``."""
    if not text:
        return ""
    spans = []
    for line in visible(text).splitlines():
        if not line.strip():
            continue
        fence = "`" * (max((len(run) for run in _BACKTICKS.findall(line)), default=0) + 1)
        pad = " " if line.startswith("`") or line.endswith("`") else ""
        body = line.replace("|", "\\|")
        spans.append(f"{fence}{pad}{body}{pad}{fence}")
    return "<br>".join(spans)


def render(findings: Sequence[Finding], title: str, fail_on: Severity) -> str:
    lines = [f"### {cell(title)}", ""]
    failing = sum(1 for f in findings if f.severity >= fail_on)
    verdict = f"**{failing} at or above {fail_on.label}**" if failing else "nothing to fail on"
    lines.append(f"{sentence(findings)} — {verdict}")
    if findings:
        lines += ["", "| severity | kind | object | message | fix |", "|---|---|---|---|---|"]
        for f in findings:
            where = f" ({f.file}:{f.line})" if f.file and f.line else ""
            fix = code(f.fix)
            lines.append(
                f"| {ICONS[f.severity]} {f.severity.label} | {cell(f.kind)} | {cell(f.object)} "
                f"| {cell(f.message)}{cell(where)} | {fix} |"
            )
    return "\n".join(lines) + "\n"
