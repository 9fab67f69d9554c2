"""Text from databases and files made safe to show: control characters as visible escapes.

Object names, messages and paths may hold anything a catalog or file allows. A raw ESC would
drive the reader's terminal (or colour a CI log), other C0/C1 characters make XML invalid, and
bidirectional overrides reorder what a reviewer reads (``Trojan Source``). :func:`visible` turns
each of them into a ``\\xNN``/``\\uNNNN`` escape a person can see; line breaks and tabs stay.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from driftline.findings import Finding

_HIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0 (but tab, newline, carriage return), DEL, C1
    "\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidirectional marks, embeddings, overrides
    "\ufeff\ufff9-\ufffb\ufffe\uffff\ud800-\udfff]"  # BOM, annotations, non-characters
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str | None) -> str:
    """``text`` with every control or direction-changing character as a visible escape."""
    if not text:
        return text or ""
    return _HIDDEN.sub(_escape, text)


def visible_finding(f: Finding) -> Finding:
    """``f`` with :func:`visible` applied to every text a reader sees."""
    return dataclasses.replace(
        f,
        kind=visible(f.kind),
        object=visible(f.object),
        message=visible(f.message),
        fix=visible(f.fix) if f.fix else f.fix,
        file=visible(f.file) if f.file else f.file,
        source=visible(f.source) if f.source else f.source,
    )
