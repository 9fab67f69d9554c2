"""``diff_schemas(expected, actual, …) -> list[Finding]``: a pure function, no database.

Every kind the model holds is compared both ways (missing, unexpected, changed); kinds it does
not model get one "not compared" line each. Tables: :mod:`diff_tables`; indexes:
:mod:`diff_indexes`; views, sequences, extensions and the rest: :mod:`diff_objects`. Findings
carry the SQL that repairs them in the target dialect where one can be written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from driftline import dialects
from driftline.findings import Finding, Severity
from driftline.schema.baseline import IgnoreEntry
from driftline.schema.diff_indexes import OR_BASELINE, diff_indexes
from driftline.schema.diff_objects import diff_objects
from driftline.schema.diff_tables import diff_columns, diff_constraints, diff_options
from driftline.schema.model import Schema

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741


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
    d = dialects.get(actual.dialect).ddl
    crit_t, crit_i = set(critical_tables), set(critical_indexes)
    out: list[Finding] = []
    for t, exp_t in sorted(expected.tables.items()):
        act_t = actual.tables.get(t)
        if act_t == exp_t and all(ix.valid for ix in act_t.indexes.values()):
            continue  # equal tables differ in nothing; only an invalid index is still named
        if act_t is None:
            fix = d.create_table(exp_t)
            out.append(Finding(E, "table.missing", f"table {t}", "table is missing", fix))
            continue
        out += diff_columns(t, exp_t, act_t, d)
        out += diff_constraints(t, exp_t, act_t, d)
        out += diff_indexes(t, exp_t, act_t, d, crit_t, crit_i)
        out += diff_options(t, exp_t, act_t, d)
    for t in sorted(set(actual.tables) - set(expected.tables)):
        fix = d.drop_table(t) + "\n" + OR_BASELINE
        out.append(Finding(I, "table.unexpected", f"table {t}", "not in the baseline", fix))
    out += diff_objects(expected, actual, strict, d)
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
