"""Statements hidden in bodies: ``DO`` blocks, functions and procedures, ``EXECUTE '<literal>'``.

Recognised by their text, before any parse, so each statement inside is parsed once, at the line
it has in the file. Procedural control words (``BEGIN``, ``IF … THEN``, ``LOOP``, labels,
``DECLARE`` sections) are peeled off; what remains and starts with an SQL verb is a statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from driftline.lint.dialect import LintDialect
from driftline.lint.split import split

_NAME = r'(?:[\w$]+|"[^"]+"|`[^`]+`)(?:\s*\.\s*(?:[\w$]+|"[^"]+"|`[^`]+`))*'
_DO = re.compile(r"DO\s+(?:LANGUAGE\s+\w+\s+)?(\$(\w*)\$)(.*)\1", re.I | re.S)
_ROUTINE = re.compile(
    rf"CREATE\s+(?:OR\s+REPLACE\s+)?(?:DEFINER\s*=\s*\S+\s+)?(FUNCTION|PROCEDURE)\s+"
    rf"(?:IF\s+NOT\s+EXISTS\s+)?({_NAME})",
    re.I,
)
_DOLLAR_BODY = re.compile(r"(\$(\w*)\$)(.*?)\1", re.S)
_QUOTED_BODY = re.compile(r"\bAS\s+'((?:[^']|'')*)'", re.I | re.S)
_MYSQL_BEGIN = re.compile(r"\bBEGIN\b(.*)\bEND\s*$", re.I | re.S)
_CALL = re.compile(rf"(?:CALL|PERFORM|SELECT)\s+({_NAME})\s*\(", re.I)
_PREFIX = re.compile(
    r"^\s*(?:(?:<<\w+>>|\w+\s*:(?!=)|BEGIN\b(?:\s+ATOMIC\b)?|DECLARE\b(?:.*?\bBEGIN\b)?|ELSE\b"
    r"|EXCEPTION\s+WHEN\b.*?\bTHEN\b|LOOP\b|REPEAT\b|(?:IF|ELSIF|ELSEIF|WHEN)\b.*?\bTHEN\b"
    r"|(?:FOR|WHILE)\b.*?\b(?:LOOP|DO)\b)\s*)+",
    re.I | re.S,
)
_VERB = re.compile(
    r"(SELECT|INSERT|UPDATE|DELETE|WITH|DROP|ALTER|CREATE|TRUNCATE|RENAME|MERGE|EXECUTE|PERFORM"
    r"|CALL|PREPARE|REPLACE)\b",
    re.I,
)
_EXECUTE_LITERAL = re.compile(r"EXECUTE\s+(?:IMMEDIATE\s+)?(E?)'((?:[^']|'')*)'\s*$", re.I | re.S)
_PREPARE_LITERAL = re.compile(r"PREPARE\s+\w+\s+FROM\s+'((?:[^'\\]|\\.|'')*)'\s*$", re.I | re.S)


@dataclass(frozen=True)
class Inner:
    text: str
    line: int
    #: None for a statement; otherwise why it could not be checked (dynamic SQL)
    unchecked: str | None = None


def body_line(text: str, body_start: int, line: int) -> int:
    return line + text.count("\n", 0, body_start)


def do_body(text: str, line: int) -> tuple[str, int] | None:
    m = _DO.match(text)
    return (m.group(3), body_line(text, m.start(3), line)) if m else None


def routine(text: str, line: int) -> tuple[str, str, int] | None:
    """``(name, body, body line)`` of a CREATE FUNCTION/PROCEDURE statement."""
    m = _ROUTINE.match(text)
    if not m:
        return None
    name = re.split(r"\s*\.\s*", m.group(2))[-1].strip('"`')
    rest = m.end()
    for pattern, group in ((_DOLLAR_BODY, 3), (_QUOTED_BODY, 1)):
        found = pattern.search(text, rest)
        if found:
            body = found.group(group)
            if group == 1:
                body = body.replace("''", "'")
            return name, body, body_line(text, found.start(group), line)
    found = _MYSQL_BEGIN.search(text, rest)
    if found:
        return name, found.group(1), body_line(text, found.start(1), line)
    return name, "", line


def called(text: str) -> list[str]:
    """Names a statement calls as ``CALL f(…)``, ``PERFORM f(…)`` or ``SELECT f(…)``."""
    return [re.split(r"\s*\.\s*", n)[-1].strip('"`') for n in _CALL.findall(text)]


def statements(body: str, line: int, dialect: LintDialect) -> list[Inner]:
    """The SQL statements of a procedural body, each at its file line."""
    found: list[Inner] = []
    for piece in split(body, dialect):
        if piece.skipped:
            continue
        prefix = _PREFIX.match(piece.text)
        text = piece.text[prefix.end() :] if prefix else piece.text
        start = piece.line + piece.text.count("\n", 0, prefix.end() if prefix else 0)
        verb = _VERB.match(text)
        if not verb:
            continue
        at = line + start - 1
        word = verb.group(1).upper()
        if word == "PERFORM":
            found.append(Inner("SELECT" + text[len("PERFORM") :], at))
        elif word == "EXECUTE":
            literal = _EXECUTE_LITERAL.match(text)
            if literal:
                sql = literal.group(2).replace("''", "'")
                found += statements(sql, at, dialect) if sql.strip() else []
            else:
                found.append(Inner(text, at, "dynamic SQL built at run time"))
        elif word == "PREPARE":
            literal = _PREPARE_LITERAL.match(text)
            if literal:
                found += statements(literal.group(1).replace("''", "'"), at, dialect)
            else:
                found.append(Inner(text, at, "dynamic SQL built at run time"))
        else:
            found.append(Inner(text, at))
    return found
