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
_MYSQL_BEGIN = re.compile(r"\bBEGIN\b(?:\s+ATOMIC\b)?(.*)\bEND\s*$", re.I | re.S)
_CALL = re.compile(rf"(?:CALL|PERFORM|SELECT)\s+({_NAME})\s*\(", re.I)
_PREFIX = re.compile(
    r"^\s*(?:(?:<<\w+>>|\w+\s*:(?!=)|BEGIN\b(?:\s+ATOMIC\b)?|DECLARE\b(?:.*?\bBEGIN\b)?|ELSE\b"
    r"|EXCEPTION\s+WHEN\b.*?\bTHEN\b|LOOP\b|REPEAT\b|(?:IF|ELSIF|ELSEIF|WHEN)\b.*?\bTHEN\b"
    r"|(?:FOR|WHILE)\b.*?\b(?:LOOP|DO)\b)\s*)+",
    re.I | re.S,
)
_VERB = re.compile(
    r"(SELECT|INSERT|UPDATE|DELETE|WITH|DROP|ALTER|CREATE|TRUNCATE|RENAME|MERGE|EXECUTE|PERFORM"
    r"|CALL|PREPARE|REPLACE|SET)\b",
    re.I,
)
_ASSIGN = re.compile(r"(\w+)(?:\s+[^:;']*?)?\s*:=\s*(.+)$", re.S)
_EXECUTE_LITERAL = re.compile(r"EXECUTE\s+(?:IMMEDIATE\s+)?(E?)'((?:[^']|'')*)'\s*$", re.I | re.S)
_PREPARE_LITERAL = re.compile(r"PREPARE\s+\w+\s+FROM\s+'((?:[^'\\]|\\.|'')*)'\s*$", re.I | re.S)


@dataclass(frozen=True)
class Inner:
    text: str
    line: int
    #: None for a statement; otherwise why it could not be checked (dynamic SQL)
    unchecked: str | None = None
    #: a PL/pgSQL assignment ``name := expression``: (name, expression)
    assign: tuple[str, str] | None = None


def body_line(text: str, body_start: int, line: int) -> int:
    return line + text.count("\n", 0, body_start)


def do_body(text: str, line: int) -> tuple[str, int] | None:
    m = _DO.match(text)
    return (m.group(3), body_line(text, m.start(3), line)) if m else None


_MODES = {"in", "out", "inout", "variadic"}


def arguments(text: str, start: int) -> tuple[list[str], int]:
    """The comma-separated items inside the parentheses that open at or after ``start``, and
    the position after them; quotes and nested parentheses are kept whole."""
    i = text.find("(", start)
    if i < 0 or text[start:i].strip():
        return [], start
    depth, items, begin, n = 0, [], i + 1, len(text)
    while i < n:
        c = text[i]
        if c == "'":
            m = _QUOTE.match(text, i)
            i = m.end() if m else n
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                items.append(text[begin:i].strip())
                return [x for x in items if x], i + 1
        elif c == "," and depth == 1:
            items.append(text[begin:i].strip())
            begin = i + 1
        i += 1
    return [], n


_QUOTE = re.compile(r"'(?:[^'\\]|\\.|'')*'", re.S)


def literal(text: str) -> str | None:
    """The value of a string or number literal argument, else None."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    return text if re.fullmatch(r"-?\d+(\.\d+)?", text) else None


def routine(text: str, line: int) -> tuple[str, str, int, tuple[str, ...]] | None:
    """``(name, body, body line, parameter names)`` of a CREATE FUNCTION/PROCEDURE statement."""
    m = _ROUTINE.match(text)
    if not m:
        return None
    name = re.split(r"\s*\.\s*", m.group(2))[-1].strip('"`')
    items, rest = arguments(text, m.end())
    params = []
    for number, item in enumerate(items, start=1):
        words = [w for w in item.split() if w.lower() not in _MODES]
        params.append(words[0].strip('"`') if len(words) > 1 else f"${number}")
    made = _routine_body(text, line, rest)
    return name, made[0], made[1], tuple(params)


def _routine_body(text: str, line: int, rest: int) -> tuple[str, int]:
    for pattern, group in ((_DOLLAR_BODY, 3), (_QUOTED_BODY, 1)):
        found = pattern.search(text, rest)
        if found:
            body = found.group(group)
            if group == 1:
                body = body.replace("''", "'")
            return body, body_line(text, found.start(group), line)
    found = _MYSQL_BEGIN.search(text, rest)
    if found:
        return found.group(1), body_line(text, found.start(1), line)
    return "", line


def calls(text: str) -> list[tuple[str, list[str | None]]]:
    """``(name, argument values)`` a statement calls as ``CALL f(…)``, ``PERFORM f(…)`` or
    ``SELECT f(…)``; an argument that is no literal has the value None."""
    found = []
    for m in _CALL.finditer(text):
        name = re.split(r"\s*\.\s*", m.group(1))[-1].strip('"`')
        items, _ = arguments(text, m.end() - 1)
        found.append((name, [literal(a) for a in items]))
    return found


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
        at = line + start - 1
        assignment = _ASSIGN.match(text)
        if assignment:
            found.append(Inner(text, at, assign=(assignment.group(1), assignment.group(2))))
            continue
        if not verb:
            continue
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
