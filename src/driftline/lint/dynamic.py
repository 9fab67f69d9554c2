"""Dynamic SQL whose text is known before it runs: literals, procedure arguments and session
variables put together with ``CONCAT``, ``||`` or PostgreSQL's ``format``.

``SET @q = CONCAT('ALTER TABLE ', tbl, ' DROP INDEX ', idx); PREPARE s FROM @q`` inside a
procedure called as ``CALL drop_index('ticket', 'ix_ticket_status')`` is the statement
``ALTER TABLE ticket DROP INDEX ix_ticket_status``, and lint checks it as such. Anything not
known (a column's value, a function's result) leaves the SQL unknown: it is reported unread.
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

_PREPARE_VAR = re.compile(r"PREPARE\s+\w+\s+FROM\s+@(\w+)\s*$", re.I)
_EXECUTE_EXPR = re.compile(r"EXECUTE\s+(.+?)(?:\s+(?:USING|INTO)\b.*)?$", re.I | re.S)
_PLAIN_IDENT = re.compile(r"[a-z_][a-z0-9_$]*")
_FORMAT = re.compile(r"%(\d+\$)?([sIL%])")


class Values:
    """Known values: session variables (``@q``) and the bound arguments of the routine whose
    body is being read."""

    def __init__(self) -> None:
        self.session: dict[str, str | None] = {}
        self.bound: list[dict[str, str]] = [{}]
        #: names of prepared statements (``EXECUTE name`` runs one of them)
        self.prepared: set[str] = set()

    def assign(self, tree: exp.Expression, glot: str) -> None:
        """Remember ``SET @name = <expression>`` when the expression's value is known."""
        if not isinstance(tree, exp.Set):
            return
        for item in tree.expressions:
            eq = item.this
            if isinstance(eq, exp.EQ) and isinstance(eq.this, exp.Parameter):
                self.session[eq.this.name.lower()] = self.value(eq.expression)

    def value(self, node: exp.Expression | None) -> str | None:
        """The string ``node`` evaluates to, or None when it depends on data."""
        if node is None:
            return None
        if isinstance(node, exp.Literal):
            return str(node.this)
        if isinstance(node, exp.Paren):
            return self.value(node.this)
        if isinstance(node, exp.Parameter):
            return self.session.get(node.name.lower())
        if isinstance(node, exp.Column | exp.Identifier | exp.Var) and not node.args.get("table"):
            return self.bound[-1].get(node.name.lower())
        if isinstance(node, exp.Concat):
            parts = [self.value(p) for p in node.expressions]
            return None if any(p is None for p in parts) else "".join(parts)  # type: ignore[arg-type]
        if isinstance(node, exp.DPipe):
            left, right = self.value(node.this), self.value(node.expression)
            return None if left is None or right is None else left + right
        if isinstance(node, exp.Anonymous) and node.name.lower() in _QUOTERS:
            args = [self.value(a) for a in node.expressions]
            return (
                None if len(args) != 1 or args[0] is None else _QUOTERS[node.name.lower()](args[0])
            )
        if isinstance(node, exp.Format):
            template = self.value(node.this)
            args = [self.value(a) for a in node.expressions]
            return None if template is None or None in args else _format(template, args)  # type: ignore[arg-type]
        return None

    def assign_local(self, name: str, expression: str, glot: str) -> None:
        """Remember a PL/pgSQL ``name := expression`` when its value is known."""
        value = self.expression(expression, glot)
        if value is None:
            self.bound[-1].pop(name.lower(), None)
        else:
            self.bound[-1][name.lower()] = value

    def expression(self, text: str, glot: str) -> str | None:
        try:
            select = sqlglot.parse_one(f"SELECT {text}", read=glot)
        except (SqlglotError, ValueError):
            return None
        return self.value(select.expressions[0]) if select.expressions else None

    def resolve(self, text: str, glot: str) -> str | None:
        """The SQL a ``PREPARE … FROM @var`` or ``EXECUTE <expression>`` runs, if known."""
        m = _PREPARE_VAR.match(text)
        if m:
            return self.session.get(m.group(1).lower())
        m = _EXECUTE_EXPR.match(text)
        return self.expression(m.group(1), glot) if m else None


def _quote_ident(name: str) -> str:
    return name if _PLAIN_IDENT.fullmatch(name) else '"' + name.replace('"', '""') + '"'


def _quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


_QUOTERS = {"quote_ident": _quote_ident, "quote_literal": _quote_literal}


def _format(template: str, args: list[str]) -> str | None:
    """PostgreSQL's ``format``: ``%s`` as is, ``%I`` an identifier, ``%L`` a literal."""
    position = 0

    def one(m: re.Match[str]) -> str:
        nonlocal position
        if m.group(2) == "%":
            return "%"
        if m.group(1):
            position = int(m.group(1)[:-1]) - 1
        if position >= len(args):
            raise IndexError
        arg = args[position]
        position += 1
        if m.group(2) == "I":
            return _quote_ident(arg)
        if m.group(2) == "L":
            return _quote_literal(arg)
        return arg

    try:
        return _FORMAT.sub(one, template)
    except IndexError:
        return None
