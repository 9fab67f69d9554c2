"""Statements recognised by their text, before (or instead of) a sqlglot parse.

sqlglot keeps some statements as an unparsed command (``DROP INDEX a, b``, MySQL
``RENAME TABLE``, ``ALTER TABLE … CONVERT TO CHARACTER SET``, many harmless ones). Those whose
meaning lint needs are built here as the trees sqlglot would have made, so the rules and the
effects treat them like any other; the harmless ones are named so that only the rest count as
unparseable.
"""

from __future__ import annotations

import re

from sqlglot import exp

_NAME = r'(?:[\w$]+|"[^"]+"|`[^`]+`)(?:\s*\.\s*(?:[\w$]+|"[^"]+"|`[^`]+`))?'
_DROP_INDEXES = re.compile(
    rf"DROP\s+INDEX\s+(CONCURRENTLY\s+)?(IF\s+EXISTS\s+)?({_NAME}(?:\s*,\s*{_NAME})+)"
    r"\s*(CASCADE|RESTRICT)?\s*$",
    re.I,
)
_RENAME_TABLES = re.compile(r"RENAME\s+TABLES?\s+(.*)$", re.I | re.S)
_RENAME_PAIR = re.compile(rf"({_NAME})\s+TO\s+({_NAME})", re.I)
_CONVERT = re.compile(
    rf"ALTER\s+TABLE\s+({_NAME})\s+(?:[^;]*?,\s*)?CONVERT\s+TO\s+CHARACTER\s+SET\b", re.I | re.S
)
DESTRUCTIVE = re.compile(r"\b(DROP|DELETE|TRUNCATE|UPDATE|RENAME)\b", re.I)
#: literals, comments, and the words that name no destructive act (ON DELETE CASCADE, FOR UPDATE)
NOT_ACTS = re.compile(
    r"'(?:[^']|'')*'|\$(\w*)\$.*?\$\1\$|--[^\n]*|/\*.*?\*/|\b(?:ON|FOR)\s+(?:DELETE|UPDATE)\b",
    re.S | re.I,
)
#: statements that change no schema object and remove no data, which sqlglot keeps as commands
_HARMLESS = re.compile(
    r"(CALL|GRANT|REVOKE|COMMENT|ANALYZE|VACUUM|REINDEX|CLUSTER|LOCK|SET|RESET|SHOW|BEGIN|START"
    r"|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE|CREATE\s+(EXTENSION|SCHEMA|TYPE|DOMAIN|SEQUENCE"
    r"|TRIGGER|RULE|POLICY|ROLE|USER|COLLATION|AGGREGATE|OPERATOR|PUBLICATION|EVENT)"
    r"|ALTER\s+(SEQUENCE|TYPE|DOMAIN|ROLE|USER|DEFAULT\s+PRIVILEGES|FUNCTION|PROCEDURE|EXTENSION"
    r"|SCHEMA|DATABASE)|ALTER\s+TABLE\s.*\b(VALIDATE\s+CONSTRAINT|USING\s+INDEX|OWNER\s+TO"
    r"|RENAME\s+CONSTRAINT"
    r"|ENABLE|DISABLE|SET\s+\(|RESET\s+\(|REPLICA\s+IDENTITY)\b|DECLARE|FETCH|CLOSE|LISTEN|NOTIFY"
    r"|DISCARD|CHECKPOINT|LOAD|SECURITY\s+LABEL|IMPORT|REFRESH|USE|FLUSH|OPTIMIZE|DEALLOCATE"
    r"|EXECUTE|PREPARE|SOURCE|PRAGMA|ATTACH|DETACH)\b",
    re.I | re.S,
)


def table(name: str) -> exp.Table:
    """A table node for a written name (``public."Ticket"`` → ``Ticket``, quoted)."""
    part = re.split(r"\s*\.\s*", name.strip())[-1]
    quoted = part[:1] in ('"', "`")
    return exp.Table(this=exp.Identifier(this=part.strip('"`'), quoted=quoted))


def trees(text: str) -> list[exp.Expression] | None:
    """The trees of ``DROP INDEX a, b`` (one DROP each) or ``RENAME TABLE a TO b, c TO d``
    (one ALTER … RENAME each); None for any other statement."""
    many = _DROP_INDEXES.match(text)
    if many:
        return [
            exp.Drop(
                kind="INDEX",
                tables=[table(n)],
                exists=bool(many.group(2)),
                concurrently=bool(many.group(1)),
            )
            for n in re.split(r"\s*,\s*", many.group(3))
        ]
    renames = _RENAME_TABLES.match(text)
    if renames:
        return [
            exp.Alter(this=table(a), kind="TABLE", actions=[exp.AlterRename(this=table(b))])
            for a, b in _RENAME_PAIR.findall(renames.group(1))
        ]
    return None


def converted_table(text: str) -> exp.Table | None:
    """The table of ``ALTER TABLE t … CONVERT TO CHARACTER SET`` (MySQL copies the table)."""
    m = _CONVERT.match(text)
    return table(m.group(1)) if m else None


def destructive_words(text: str) -> list[str]:
    """DROP, DELETE, TRUNCATE, UPDATE or RENAME said outside literals and comments."""
    return sorted({w.upper() for w in DESTRUCTIVE.findall(NOT_ACTS.sub(" ", text))})


def harmless(text: str) -> bool:
    """A command sqlglot keeps unparsed that changes no schema object and removes no data; an
    ALTER TABLE qualifies only when nothing in it drops, deletes or renames more than a
    constraint."""
    if not _HARMLESS.match(text):
        return False
    if not re.match(r"ALTER\s+TABLE\b", text, re.I):
        return True
    rest = re.sub(r"\bRENAME\s+CONSTRAINT\b", " ", text, flags=re.I)
    return not destructive_words(rest)
