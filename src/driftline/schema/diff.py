"""``diff_schemas(expected, actual, …) -> list[Finding]``: a pure function, no database.

Indexes are matched by meaning: same name and fingerprint → equal; same fingerprint under another
name → renamed (info); same name, other fingerprint → changed; neither → missing (error when
critical, warning otherwise). Every finding carries the SQL that repairs it in the target dialect.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from driftline.findings import Finding, Severity
from driftline.schema import fixsql
from driftline.schema.baseline import IgnoreEntry
from driftline.schema.model import Index, Schema, Table

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741


def _index_text(ix: Index) -> str:
    text = f"({', '.join(ix.columns)})"
    if ix.unique:
        text = "unique " + text
    if ix.method:
        text += f" using {ix.method}"
    if ix.include:
        text += f" include ({', '.join(ix.include)})"
    if ix.where:
        text += f" where {ix.where}"
    return text


def _critical(
    table: str, index: str, critical_tables: set[str], critical_indexes: set[str]
) -> bool:
    bare_table = table.split(".")[-1]
    return (
        table in critical_tables
        or bare_table in critical_tables
        or f"{table}.{index}" in critical_indexes
        or f"{bare_table}.{index}" in critical_indexes
        or index in critical_indexes
    )


def _indexes(t: str, exp_t: Table, act_t: Table, d: str, crit_t, crit_i) -> list[Finding]:
    out: list[Finding] = []
    unmatched = dict(act_t.indexes)
    for name, want in sorted(exp_t.indexes.items()):
        critical = _critical(t, name, crit_t, crit_i)
        obj = f"index {t}.{name}"
        have = act_t.indexes.get(name)
        if have is not None and have.fingerprint == want.fingerprint:
            unmatched.pop(name, None)
            if not have.valid:
                out.append(
                    Finding(
                        E if critical else W,
                        "index.invalid",
                        obj,
                        "index exists but is INVALID (a failed CREATE INDEX "
                        "CONCURRENTLY): the planner cannot use it",
                        f"DROP INDEX {fixsql.q(name, d)}; " + fixsql.create_index_sql(t, want, d),
                    )
                )
            continue
        twin = next(
            (
                n
                for n, ix in sorted(unmatched.items())
                if ix.fingerprint == want.fingerprint and n not in exp_t.indexes
            ),
            None,
        )
        if twin is not None:
            unmatched.pop(twin)
            out.append(
                Finding(
                    I,
                    "index.renamed",
                    obj,
                    f"renamed to {twin} (same definition)",
                    f"-- or rename it back: ALTER INDEX {fixsql.q(twin, d)} "
                    f"RENAME TO {fixsql.q(name, d)};",
                )
            )
            continue
        if have is not None:
            unmatched.pop(name, None)
            out.append(
                Finding(
                    E if critical else W,
                    "index.changed",
                    obj,
                    f"definition changed from {_index_text(want)} to {_index_text(have)}",
                    fixsql.drop_index_sql(t, name, d) + " " + fixsql.create_index_sql(t, want, d),
                )
            )
            continue
        label = "SLA-critical index is missing" if critical else "index is missing"
        out.append(
            Finding(
                E if critical else W,
                "index.missing",
                obj,
                f"{label}: {_index_text(want)}",
                fixsql.create_index_sql(t, want, d),
            )
        )
    for name, ix in sorted(unmatched.items()):
        out.append(
            Finding(
                I,
                "index.unexpected",
                f"index {t}.{name}",
                f"not in the baseline: {_index_text(ix)}",
                "-- add it to the baseline (driftline schema snapshot), or "
                + fixsql.drop_index_sql(t, name, d),
            )
        )
    return out


def _columns(t: str, exp_t: Table, act_t: Table, d: str) -> list[Finding]:
    out: list[Finding] = []
    for name, want in exp_t.columns.items():
        obj = f"column {t}.{name}"
        have = act_t.columns.get(name)
        if have is None:
            out.append(
                Finding(
                    E,
                    "column.missing",
                    obj,
                    f"column is missing ({want.type})",
                    fixsql.add_column_sql(t, want, d),
                )
            )
            continue
        if have.type != want.type:
            out.append(
                Finding(
                    W,
                    "column.type_changed",
                    obj,
                    f"type {want.type} became {have.type}",
                    fixsql.alter_type_sql(t, want, d),
                )
            )
        if have.nullable != want.nullable:
            was = "nullable" if want.nullable else "NOT NULL"
            now = "nullable" if have.nullable else "NOT NULL"
            out.append(
                Finding(
                    W,
                    "column.nullability_changed",
                    obj,
                    f"{was} became {now}",
                    fixsql.nullability_sql(t, want, d),
                )
            )
        if have.default != want.default:
            out.append(
                Finding(
                    I,
                    "column.default_changed",
                    obj,
                    f"default {want.default!r} became {have.default!r}",
                )
            )
    for name, have in act_t.columns.items():
        if name not in exp_t.columns:
            out.append(
                Finding(
                    I,
                    "column.unexpected",
                    f"column {t}.{name}",
                    f"not in the baseline ({have.type})",
                )
            )
    return out


def _constraints(t: str, exp_t: Table, act_t: Table, d: str) -> list[Finding]:
    out: list[Finding] = []
    if exp_t.primary_key != act_t.primary_key:
        out.append(
            Finding(
                E,
                "primary_key.changed",
                f"table {t}",
                f"primary key ({', '.join(exp_t.primary_key)}) became "
                f"({', '.join(act_t.primary_key) or 'none'})",
            )
        )
    have_fks = {
        (f.columns, f.ref_table.split(".")[-1], f.ref_columns): f
        for f in act_t.foreign_keys.values()
    }
    for name, fk in sorted(exp_t.foreign_keys.items()):
        if (fk.columns, fk.ref_table.split(".")[-1], fk.ref_columns) not in have_fks:
            out.append(
                Finding(
                    W,
                    "foreign_key.missing",
                    f"foreign key {t}.{name}",
                    f"({', '.join(fk.columns)}) → {fk.ref_table} is missing",
                    fixsql.add_foreign_key_sql(t, fk, d),
                )
            )
    have_uniques = set(act_t.uniques.values())
    for name, cols in sorted(exp_t.uniques.items()):
        if cols not in have_uniques:
            out.append(
                Finding(
                    W,
                    "unique.missing",
                    f"unique {t}.{name}",
                    f"unique ({', '.join(cols)}) is missing",
                    f"ALTER TABLE {fixsql.q(t, d)} ADD CONSTRAINT {fixsql.q(name, d)} "
                    f"UNIQUE ({', '.join(fixsql.q(c, d) for c in cols)});",
                )
            )
    for name, expr in sorted(exp_t.checks.items()):
        if act_t.checks.get(name) != expr and expr not in act_t.checks.values():
            out.append(
                Finding(
                    W,
                    "check.missing",
                    f"check {t}.{name}",
                    f"CHECK ({expr}) is missing or changed",
                    f"ALTER TABLE {fixsql.q(t, d)} ADD CONSTRAINT {fixsql.q(name, d)} "
                    f"CHECK ({expr});",
                )
            )
    return out


def _ignored(finding: Finding, entries: Iterable[IgnoreEntry], today: dt.date) -> bool:
    return any(e.object == finding.object and not e.expired(today) for e in entries)


def diff_schemas(
    expected: Schema,
    actual: Schema,
    *,
    critical_tables: Iterable[str] = (),
    critical_indexes: Iterable[str] = (),
    ignore: Iterable[IgnoreEntry] = (),
    strict: bool = False,
    today: dt.date | None = None,
) -> list[Finding]:
    """Every difference between the expected and the actual schema, as findings."""
    d = actual.dialect
    crit_t, crit_i = set(critical_tables), set(critical_indexes)
    out: list[Finding] = []
    for t, exp_t in sorted(expected.tables.items()):
        act_t = actual.tables.get(t)
        if act_t is None:
            severity = E
            out.append(
                Finding(
                    severity,
                    "table.missing",
                    f"table {t}",
                    "table is missing",
                    fixsql.create_table_hint(t, d),
                )
            )
            continue
        out += _columns(t, exp_t, act_t, d)
        out += _constraints(t, exp_t, act_t, d)
        out += _indexes(t, exp_t, act_t, d, crit_t, crit_i)
    for t in sorted(set(actual.tables) - set(expected.tables)):
        out.append(Finding(I, "table.unexpected", f"table {t}", "not in the baseline"))
    for v, definition in sorted(expected.views.items()):
        if v not in actual.views:
            out.append(
                Finding(
                    W,
                    "view.missing",
                    f"view {v}",
                    "view is missing",
                    f"CREATE VIEW {fixsql.q(v, d)} AS {definition};",
                )
            )
        elif actual.views[v] != definition:
            out.append(
                Finding(
                    W,
                    "view.changed",
                    f"view {v}",
                    "definition changed",
                    f"CREATE OR REPLACE VIEW {fixsql.q(v, d)} AS {definition};",
                )
            )
    for seq in sorted(set(expected.sequences) - set(actual.sequences)):
        out.append(
            Finding(
                W,
                "sequence.missing",
                f"sequence {seq}",
                "sequence is missing",
                f"CREATE SEQUENCE {fixsql.q(seq, d)};",
            )
        )
    for ext in sorted(set(expected.extensions) - set(actual.extensions)):
        out.append(
            Finding(
                W,
                "extension.missing",
                f"extension {ext}",
                "extension is missing",
                f"CREATE EXTENSION {fixsql.q(ext, d)};",
            )
        )
    for kind, names in sorted(actual.not_compared.items()):
        out.append(
            Finding(
                E if strict else I,
                "not_compared",
                f"{kind}s",
                f"not compared: {len(names)} {kind}(s) ({', '.join(names[:5])}"
                f"{', …' if len(names) > 5 else ''})",
                "compare them by hand, or ignore them in the baseline with a reason",
            )
        )
    today = today or dt.date.today()
    entries = list(ignore)
    kept = [f for f in out if not _ignored(f, entries, today)]
    for e in entries:
        if e.expired(today):
            kept.append(
                Finding(
                    W,
                    "ignore.expired",
                    e.object,
                    f"ignore entry expired on {e.expires}; no longer ignored "
                    f"(reason was: {e.reason})",
                    "fix the drift, or renew the entry with a new date and reason",
                    line=e.line,
                )
            )
    return kept
