"""Normalization with sqlglot, so that meaning, not spelling, is compared.

Types map to one spelling across dialects (``character varying(16)`` → ``varchar(16)``);
expressions and predicates lose casts of literals, redundant parentheses and quoting, and
PostgreSQL's ``x = ANY (ARRAY['a', 'b'])`` becomes ``x IN ('a', 'b')``. Results are cached.
"""

from __future__ import annotations

import functools
import re

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from driftline import dialects

_PLAIN = re.compile(r'^"?([A-Za-z_][A-Za-z0-9_$]*)"?$')

_TYPE_ALIASES = {
    "int4": "int",
    "integer": "int",
    "int8": "bigint",
    "int2": "smallint",
    "bool": "boolean",
    "float8": "double",
    "double precision": "double",
    "timestamp with time zone": "timestamptz",
    "timestamp without time zone": "timestamp",
    "datetime": "timestamp",
    "character varying": "varchar",
}


@functools.lru_cache(maxsize=4096)
def column_type(raw: str, dialect: str) -> str:
    """One lower-case spelling of a column type for every dialect."""
    text = raw.strip().lower()
    text = dialects.get(dialect).raw_type(text)
    if text == "boolean":
        return text
    try:
        built = exp.DataType.build(text, dialect=dialects.get(dialect).sqlglot)
        text = built.sql(dialect="postgres").lower()
    except (ParseError, TokenError, ValueError):
        pass
    text = re.sub(r"\s+", " ", text)
    base, _, rest = text.partition("(")
    base = _TYPE_ALIASES.get(base.strip(), base.strip())
    return f"{base}({rest}" if rest else base


def _strip(node: exp.Expression) -> exp.Expression:
    def fix(n: exp.Expression) -> exp.Expression:
        if isinstance(n, exp.Cast) and isinstance(n.this, exp.Literal | exp.Column | exp.Null):
            return n.this
        if isinstance(n, exp.Paren):
            return n.this
        if isinstance(n, exp.Identifier):
            return exp.Identifier(this=n.this.lower(), quoted=False)
        if isinstance(n, exp.EQ) and isinstance(n.expression, exp.Any):
            target = n.expression.this
            if isinstance(target, exp.Paren):
                target = target.this
            if isinstance(target, exp.Cast):
                target = target.this
            if isinstance(target, exp.Array):
                return exp.In(this=n.this, expressions=list(target.expressions))
        return n

    return node.transform(fix)


@functools.lru_cache(maxsize=8192)
def expression(raw: str | None, dialect: str) -> str | None:
    """A canonical spelling of an index expression, predicate, default or check."""
    if raw is None:
        return None
    text = raw.strip()
    plain = _PLAIN.match(text)
    if plain:
        return plain.group(1).lower()
    try:
        tree = sqlglot.parse_one(text, read=dialects.get(dialect).sqlglot)
    except (ParseError, TokenError):
        return re.sub(r"\s+", " ", text)
    previous = None
    while previous != tree.sql():  # strip until nothing changes (nested casts, parens)
        previous = tree.sql()
        tree = _strip(tree)
    return tree.sql(dialect="postgres", comments=False)  # comments carry no meaning


def key(raw: str, dialect: str, desc: bool = False, nulls_first: bool | None = None) -> str:
    """One index key: the normalized column/expression with its non-default order."""
    text = expression(raw, dialect) or ""
    if desc:
        text += " desc"
        if nulls_first is False:
            text += " nulls last"
    elif nulls_first:
        text += " nulls first"
    return text
