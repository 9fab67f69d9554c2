"""Column, constraint and table-setting findings of one table present on both sides.

Everything is compared both ways: what the baseline has and the database lacks, what the database
has and the baseline lacks, and what both have but differently. A change that can break reads or
writes (a type, NOT NULL, a dropped default on a NOT NULL column, any added or dropped
constraint) is at least a warning.
"""

from __future__ import annotations

from driftline.dialects.ddl import Ddl
from driftline.findings import Finding, Severity
from driftline.schema.diff_indexes import OR_BASELINE
from driftline.schema.model import Column, ForeignKey, Table

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741


def _cols(cols: tuple[str, ...]) -> str:
    return f"({', '.join(cols)})"


def _insert_breaking(c: Column) -> bool:
    """An INSERT that does not name this column fails."""
    return not c.nullable and c.default is None and not c.identity and not c.generated


def _column_attributes(
    obj: str, want: Column, have: Column
) -> list[tuple[Severity, str, str, str | None]]:
    out = []
    if have.default != want.default:
        dropped_on_not_null = have.default is None and _insert_breaking(have)
        out.append(
            (
                W if dropped_on_not_null else I,
                "column.default_changed",
                f"default {want.default or 'none'} became {have.default or 'none'}"
                + (": inserts that relied on it now fail" if dropped_on_not_null else ""),
                "default",
            )
        )
    for attr, kind in (
        ("collation", "column.collation_changed"),
        ("identity", "column.identity_changed"),
        ("generated", "column.generated_changed"),
    ):
        was, now = getattr(want, attr), getattr(have, attr)
        if was != now:
            text = f"{attr} {was or 'default'!s} became {now or 'default'!s}"
            out.append((W, kind, text, attr))
    return out


def diff_columns(t: str, exp_t: Table, act_t: Table, d: Ddl) -> list[Finding]:
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
                    d.add_column(exp_t, act_t, name),
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
                    d.change_column(exp_t, act_t, name, "type"),
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
                    d.change_column(exp_t, act_t, name, "nullable"),
                )
            )
        out += [
            Finding(s, k, obj, m, d.change_column(exp_t, act_t, name, aspect) if aspect else None)
            for s, k, m, aspect in _column_attributes(obj, want, have)
        ]
    for name, have in act_t.columns.items():
        if name not in exp_t.columns:
            breaking = _insert_breaking(have)
            why = " NOT NULL without a default: inserts that omit it fail" if breaking else ""
            out.append(
                Finding(
                    W if breaking else I,
                    "column.unexpected",
                    f"column {t}.{name}",
                    f"not in the baseline ({have.type}{why})",
                    d.drop_column(exp_t, act_t, name) + "\n" + OR_BASELINE,
                )
            )
    return out


def _fk_text(fk: ForeignKey) -> str:
    text = f"{_cols(fk.columns)} → {fk.ref_table}{_cols(fk.ref_columns)}"
    text += "".join(f" {clause}" for clause in fk.clauses)
    if not fk.valid:
        text += " not valid"
    return text


def _unexpected(
    kind: str, t: str, name: str, text: str, exp_t: Table, act_t: Table, d: Ddl
) -> Finding:
    """A constraint the baseline lacks: a warning, since it can reject writes."""
    return Finding(
        W,
        f"{kind}.unexpected",
        f"{kind.replace('_', ' ')} {t}.{name}",
        f"not in the baseline: {text} (it can reject writes)",
        d.remove_constraint(exp_t, act_t, name, kind) + "\n" + OR_BASELINE,
    )


def _fk_key(fk: ForeignKey) -> tuple:
    return (fk.columns, fk.ref_table.split(".")[-1], fk.ref_columns)


def _foreign_keys(t: str, exp_t: Table, act_t: Table, d: Ddl) -> list[Finding]:
    out: list[Finding] = []
    unmatched = {_fk_key(f): f for f in act_t.foreign_keys.values()}
    for name, fk in sorted(exp_t.foreign_keys.items()):
        obj = f"foreign key {t}.{name}"
        have = unmatched.pop(_fk_key(fk), None)
        if have is None:
            out.append(
                Finding(
                    W,
                    "foreign_key.missing",
                    obj,
                    f"{_fk_text(fk)} is missing",
                    d.restore_foreign_key(exp_t, act_t, name),
                )
            )
            continue
        if have.behaviour != fk.behaviour:
            text = f"{_fk_text(fk)} became {_fk_text(have)}"
            fix = d.restore_foreign_key(exp_t, act_t, name)
            out.append(Finding(W, "foreign_key.changed", obj, text, fix))
        elif have.name != name:
            fix = d.rename_constraint(exp_t, act_t, have.name, name, "foreign_key")
            out.append(Finding(I, "foreign_key.renamed", obj, f"renamed to {have.name}", fix))
    for fk in sorted(unmatched.values(), key=lambda f: f.name):
        out.append(_unexpected("foreign_key", t, fk.name, _fk_text(fk), exp_t, act_t, d))
    return out


def _uniques(t: str, exp_t: Table, act_t: Table, d: Ddl) -> list[Finding]:
    out: list[Finding] = []
    unmatched = {cols: name for name, cols in act_t.uniques.items()}
    for name, cols in sorted(exp_t.uniques.items()):
        obj = f"unique {t}.{name}"
        have = unmatched.pop(cols, None)
        if have is None:
            out.append(
                Finding(
                    W,
                    "unique.missing",
                    obj,
                    f"unique {_cols(cols)} is missing",
                    d.restore_unique(exp_t, act_t, name),
                )
            )
        elif have != name:
            fix = d.rename_constraint(exp_t, act_t, have, name, "unique")
            out.append(Finding(I, "unique.renamed", obj, f"renamed to {have} (same columns)", fix))
    for cols, name in sorted(unmatched.items(), key=lambda kv: kv[1]):
        out.append(_unexpected("unique", t, name, f"unique {_cols(cols)}", exp_t, act_t, d))
    return out


def _checks(t: str, exp_t: Table, act_t: Table, d: Ddl) -> list[Finding]:
    out: list[Finding] = []
    unmatched = dict(act_t.checks)
    for name, expr in sorted(exp_t.checks.items()):
        obj = f"check {t}.{name}"
        if unmatched.get(name) == expr:
            unmatched.pop(name)
            was, now = name in exp_t.checks_not_valid, name in act_t.checks_not_valid
            if was != now:
                out.append(
                    Finding(
                        W if now else I,
                        "check.validity_changed",
                        obj,
                        "became NOT VALID: existing rows are not checked"
                        if now
                        else "was NOT VALID, is now validated",
                        d.validate_constraint(exp_t, act_t, name) if now else None,
                    )
                )
            continue
        twin = next((n for n, e in sorted(unmatched.items()) if e == expr), None)
        if twin is not None and twin not in exp_t.checks:
            unmatched.pop(twin)
            fix = d.rename_constraint(exp_t, act_t, twin, name, "check")
            text = f"renamed to {twin} (same expression)"
            out.append(Finding(I, "check.renamed", obj, text, fix))
            continue
        fix = d.restore_check(exp_t, act_t, name)
        if name in unmatched:
            out.append(
                Finding(
                    W,
                    "check.changed",
                    obj,
                    f"CHECK ({expr}) became CHECK ({unmatched.pop(name)})",
                    fix,
                )
            )
            continue
        out.append(Finding(W, "check.missing", obj, f"CHECK ({expr}) is missing", fix))
    for name, expr in sorted(unmatched.items()):
        out.append(_unexpected("check", t, name, f"CHECK ({expr})", exp_t, act_t, d))
    return out


def diff_constraints(t: str, exp_t: Table, act_t: Table, d: Ddl) -> list[Finding]:
    out: list[Finding] = []
    if exp_t.primary_key != act_t.primary_key:
        out.append(
            Finding(
                E,
                "primary_key.changed",
                f"table {t}",
                f"primary key {_cols(exp_t.primary_key)} became "
                f"{_cols(act_t.primary_key) if act_t.primary_key else 'none'}",
                d.restore_primary_key(exp_t, act_t),
            )
        )
    return (
        out
        + _foreign_keys(t, exp_t, act_t, d)
        + _uniques(t, exp_t, act_t, d)
        + _checks(t, exp_t, act_t, d)
    )


def diff_options(t: str, exp_t: Table, act_t: Table, d: Ddl) -> list[Finding]:
    out: list[Finding] = []
    for key in sorted(set(exp_t.options) | set(act_t.options)):
        was, now = exp_t.options.get(key), act_t.options.get(key)
        if was != now:
            out.append(
                Finding(
                    W,
                    "table.option_changed",
                    f"table {t}",
                    f"{key.replace('_', ' ')}: {was or 'not set'} became {now or 'not set'}",
                    d.table_option(exp_t, act_t, key, was),
                )
            )
    return out
