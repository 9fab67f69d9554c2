"""Index findings of one table, matched by meaning.

Same name and fingerprint → equal; same fingerprint under another name → renamed (info); same
name, other fingerprint → changed; neither → missing (error when critical, warning otherwise).
An unexpected unique index is a warning: it can reject writes that used to succeed.
"""

from __future__ import annotations

from driftline.dialects.ddl import Ddl
from driftline.findings import Finding, Severity
from driftline.schema.model import Index, Table

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741
#: follows the fix of an object the baseline lacks: dropping it is one way, not the only one
OR_BASELINE = "-- or keep it: add it to the baseline (driftline schema snapshot)"


def index_text(ix: Index) -> str:
    keys = [
        f"{k} {o}" if o else k
        for k, o in zip(ix.columns, ix.key_options or ("",) * len(ix.columns), strict=False)
    ]
    text = f"({', '.join(keys)})"
    if ix.unique:
        text = "unique " + text
    if ix.method:
        text += f" using {ix.method}"
    if ix.include:
        text += f" include ({', '.join(ix.include)})"
    if ix.where:
        text += f" where {ix.where}"
    return text


def critical(table: str, index: str, critical_tables: set[str], critical_indexes: set[str]) -> bool:
    bare_table = table.split(".")[-1]
    return (
        table in critical_tables
        or bare_table in critical_tables
        or f"{table}.{index}" in critical_indexes
        or f"{bare_table}.{index}" in critical_indexes
        or index in critical_indexes
    )


def diff_indexes(
    t: str, exp_t: Table, act_t: Table, d: Ddl, crit_t: set[str], crit_i: set[str]
) -> list[Finding]:
    out: list[Finding] = []
    unmatched = dict(act_t.indexes)
    for name, want in sorted(exp_t.indexes.items()):
        is_critical = critical(t, name, crit_t, crit_i)
        obj = f"index {t}.{name}"
        have = act_t.indexes.get(name)
        if have is not None and have.fingerprint == want.fingerprint:
            unmatched.pop(name, None)
            if not have.valid:
                out.append(
                    Finding(
                        E if is_critical else W,
                        "index.invalid",
                        obj,
                        "index exists but is INVALID (a failed CREATE INDEX "
                        "CONCURRENTLY): the planner cannot use it",
                        d.recreate_index(t, want),
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
                    d.rename_index(t, twin, name, want),
                )
            )
            continue
        if have is not None:
            unmatched.pop(name, None)
            out.append(
                Finding(
                    E if is_critical else W,
                    "index.changed",
                    obj,
                    f"definition changed from {index_text(want)} to {index_text(have)}",
                    d.recreate_index(t, want),
                )
            )
            continue
        label = "SLA-critical index is missing" if is_critical else "index is missing"
        out.append(
            Finding(
                E if is_critical else W,
                "index.missing",
                obj,
                f"{label}: {index_text(want)}",
                d.create_index(t, want),
            )
        )
    for name, ix in sorted(unmatched.items()):
        out.append(
            Finding(
                W if ix.unique else I,
                "index.unexpected",
                f"index {t}.{name}",
                f"not in the baseline: {index_text(ix)}"
                + (" (a unique index can reject writes)" if ix.unique else ""),
                d.drop_index(t, name) + "\n" + OR_BASELINE,
            )
        )
    return out
