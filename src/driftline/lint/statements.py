"""Splitting a SQL file into statements that remember their line, and parsing each."""

from __future__ import annotations

from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import TokenType


@dataclass(frozen=True)
class Statement:
    text: str
    line: int  # 1-based line of the statement's first token
    tree: exp.Expression | None  # None when the statement could not be parsed
    error: str | None = None


def _split_naively(source: str) -> list[tuple[str, int]]:
    """Fallback when the tokenizer fails: split on ';' at line ends."""
    parts, start_line, buf = [], 1, []
    for number, line in enumerate(source.splitlines(), start=1):
        if not buf and not line.strip():
            start_line = number + 1
            continue
        buf.append(line)
        if line.rstrip().endswith(";"):
            parts.append(("\n".join(buf), start_line))
            buf, start_line = [], number + 1
    if buf and "".join(buf).strip():
        parts.append(("\n".join(buf), start_line))
    return parts


def split(source: str, dialect: str) -> list[tuple[str, int]]:
    """``(statement text, first line)`` for every statement in ``source``."""
    try:
        tokens = sqlglot.Dialect.get_or_raise(dialect).tokenize(source)
    except TokenError:
        return _split_naively(source)
    parts: list[tuple[str, int]] = []
    current = []
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            if current:
                parts.append((source[current[0].start : current[-1].end + 1], current[0].line))
            current = []
        else:
            current.append(token)
    if current:
        parts.append((source[current[0].start : current[-1].end + 1], current[0].line))
    return parts


def parse(source: str, dialect: str) -> list[Statement]:
    result = []
    for text, line in split(source, dialect):
        try:
            tree = sqlglot.parse_one(text, read=dialect)
        except (ParseError, TokenError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            result.append(Statement(text, line, None, first))
            continue
        if isinstance(tree, exp.Command):  # sqlglot's "I could not really parse this"
            result.append(Statement(text, line, None, f"unsupported syntax: {text.split()[0]}"))
            continue
        result.append(Statement(text, line, tree))
    return result
