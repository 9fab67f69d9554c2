"""When PostgreSQL rewrites a whole table, per server version.

``ALTER COLUMN … TYPE`` keeps the table's file when the new type is binary-coercible with the old
one and no stricter: ``varchar(n)`` → ``varchar(m ≥ n)``, ``varchar`` or ``text``;
``numeric(p, s)`` → ``numeric(p' ≥ p, s)`` or ``numeric``; ``varbit(n)`` → ``varbit(m ≥ n)``;
``cidr`` → ``inet``. ``ADD COLUMN … DEFAULT`` keeps it since PostgreSQL 11 unless the default is
volatile. A stored generated column always rewrites. ``tests/lint/test_rewrites_postgresql.py``
compares each prediction with the table's file node on a real server.
"""

from __future__ import annotations

import re

from sqlglot import exp

#: volatile functions people put in defaults (stable ones such as now() do not rewrite)
VOLATILE = frozenset(
    {"random", "gen_random_uuid", "uuid_generate_v1", "uuid_generate_v4", "clock_timestamp",
     "timeofday", "nextval", "uuid_generate_v1mc", "txid_current"}
)  # fmt: skip
_SERIAL = frozenset({"serial", "bigserial", "smallserial", "serial4", "serial8", "serial2"})
_TYPE = re.compile(r"^\s*([a-z][a-z ]*?)\s*(?:\(\s*([\d\s,]*)\))?\s*$")
_ALIASES = {
    "character varying": "varchar",
    "char varying": "varchar",
    "decimal": "numeric",
    "bit varying": "varbit",
    "integer": "int",
    "int4": "int",
    "int8": "bigint",
    "int2": "smallint",
    "float8": "double",
    "double precision": "double",
    "float4": "real",
    "bool": "boolean",
    "character": "char",
    "bpchar": "char",
    "timestamp with time zone": "timestamptz",
    "timestamp without time zone": "timestamp",
}


def _split(type_text: str) -> tuple[str, tuple[int, ...]] | None:
    m = _TYPE.match(type_text.lower())
    if not m:
        return None
    base = _ALIASES.get(m.group(1), m.group(1))
    args = tuple(int(a) for a in (m.group(2) or "").replace(" ", "").split(",") if a)
    return base, args


def type_change_rewrites(old: str | None, new: str) -> bool | None:
    """True/False when known; None when the old type is unknown."""
    if old is None or not old:
        return None
    before, after = _split(old), _split(new)
    if before is None or after is None:
        return True
    (b, bargs), (a, aargs) = before, after
    if (b, bargs) == (a, aargs):
        return False
    if b in ("varchar", "text") and a in ("varchar", "text"):
        if a == "text" or (a == "varchar" and not aargs):
            return False
        return b == "text" or not bargs or aargs[0] < bargs[0]
    if b == a == "numeric":
        if not aargs:
            return False
        if not bargs:
            return True
        scale_b = bargs[1] if len(bargs) > 1 else 0
        scale_a = aargs[1] if len(aargs) > 1 else 0
        return not (aargs[0] >= bargs[0] and scale_a == scale_b)
    if b == a == "varbit":
        return bool(aargs) and (not bargs or aargs[0] < bargs[0])
    return not (b == "cidr" and a == "inet")


def volatile(node: exp.Expression) -> bool:
    """Whether an expression calls a volatile function (its value differs per row)."""
    for fn in node.find_all(exp.Func):
        name = (fn.name if isinstance(fn, exp.Anonymous) else fn.sql_name()).lower()
        if name in VOLATILE or isinstance(fn, exp.Rand | exp.Uuid):
            return True
    return False


def add_column_rewrites(column: exp.ColumnDef, major: int) -> str | None:
    """Why ``ADD COLUMN`` rewrites the table on PostgreSQL ``major``, or None."""
    dtype = column.args.get("kind")
    if dtype is not None and dtype.sql(dialect="postgres").lower() in _SERIAL:
        return "a serial column's default (nextval) is volatile"
    for constraint in column.args.get("constraints") or []:
        kind = constraint.args.get("kind")
        if isinstance(kind, exp.ComputedColumnConstraint):  # stored: the only kind before 18
            return "a stored generated column is computed for every row"
        if isinstance(kind, exp.GeneratedAsIdentityColumnConstraint):
            return "an identity column fills every row from its sequence"
        if isinstance(kind, exp.DefaultColumnConstraint) and kind.this is not None:
            if major < 11:
                return f"before PostgreSQL 11 any default fills every row (server {major})"
            if volatile(kind.this):
                return f"the default {kind.this.sql(dialect='postgres')} is volatile"
    return None
