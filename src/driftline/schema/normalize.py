"""Normalization with sqlglot, so that meaning, not spelling, is compared.

Types map to one spelling across dialects (``character varying(16)`` → ``varchar(16)``);
expressions and predicates lose casts of literals, redundant parentheses and quoting, and
PostgreSQL's ``x = ANY (ARRAY['a', 'b'])`` becomes ``x IN ('a', 'b')``.

Results are cached in the process and remembered across runs (:mod:`driftline.schema.cache`,
keyed by this code, the dialects' and sqlglot's version): a schema whose spellings were all
seen before is normalized without importing sqlglot, which costs more than a small catalog read.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

from driftline import dialects
from driftline.schema import cache

if TYPE_CHECKING:
    from sqlglot import exp

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
    return _remembered("type", raw, dialect, _column_type)


def _column_type(raw: str, dialect: str) -> str:
    from sqlglot import exp
    from sqlglot.errors import ParseError, TokenError

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
    from sqlglot import exp

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
    return _remembered("expression", text, dialect, _expression)


def _expression(text: str, dialect: str) -> str:
    import sqlglot
    from sqlglot.errors import ParseError, TokenError

    try:
        tree = sqlglot.parse_one(text, read=dialects.get(dialect).sqlglot)
    except (ParseError, TokenError):
        return re.sub(r"\s+", " ", text)
    previous = None
    while previous != tree.sql():  # strip until nothing changes (nested casts, parens)
        previous = tree.sql()
        tree = _strip(tree)
    return tree.sql(dialect="postgres", comments=False)  # comments carry no meaning


# --- remembered across runs ------------------------------------------------------------------
_KIND = "normalized"
#: more spellings than this and the remembered set starts afresh (it only ever grows)
_MAX_REMEMBERED = 50_000
_lock = threading.Lock()
_memory: dict[str, str] | None = None
_learned = False


@functools.cache
def _entry_name() -> str | None:
    """The name of the remembered spellings of this code and this sqlglot (None: unknown)."""
    spec = find_spec("sqlglot")  # finds the package without importing it
    if spec is None or spec.origin is None:
        return None
    package = cache.PACKAGE
    digest = hashlib.sha256(cache.code_digest(
        Path(__file__), *sorted((package / "dialects").glob("*.py")),
        Path(spec.origin).with_name("_version.py"),
    ))  # fmt: skip
    return digest.hexdigest()


def _remembered(kind: str, text: str, dialect: str, compute: Any) -> str:
    global _memory, _learned
    if _memory is None:
        name = _entry_name()
        stored = cache.read(_KIND, name) if name else None
        _memory = stored if isinstance(stored, dict) else {}
    key = f"{kind}\0{dialect}\0{text}"
    known = _memory.get(key)
    if isinstance(known, str):
        return known
    value = compute(text, dialect)
    with _lock:
        _memory[key] = value
        _learned = True
    return value


def remember() -> None:
    """Keep the spellings normalized in this process for later runs (when any were new)."""
    global _learned
    name = _entry_name()
    with _lock:
        if not _learned or name is None or _memory is None:
            return
        _learned = False
        kept = dict(_memory) if len(_memory) <= _MAX_REMEMBERED else {}
    cache.write(_KIND, name, kept)


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
