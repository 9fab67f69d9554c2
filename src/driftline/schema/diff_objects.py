"""Findings for objects outside tables: views, materialized views, sequences, extensions, and
one "not compared" line per kind driftline lists but does not model."""

from __future__ import annotations

from driftline.dialects.ddl import Ddl
from driftline.findings import Finding, Severity
from driftline.schema.diff_indexes import OR_BASELINE
from driftline.schema.model import Schema, Sequence

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741


def _definitions(
    kind: str, label: str, expected: dict[str, str], actual: dict[str, str], d: Ddl
) -> list[Finding]:
    materialized = kind == "materialized_view"
    out: list[Finding] = []
    for name, definition in sorted(expected.items()):
        obj = f"{label} {name}"
        if name not in actual:
            fix = d.create_view(name, definition, materialized=materialized)
            out.append(Finding(W, f"{kind}.missing", obj, f"{label} is missing", fix))
        elif actual[name] != definition:
            fix = d.create_view(name, definition, replace=True, materialized=materialized)
            out.append(Finding(W, f"{kind}.changed", obj, "definition changed", fix))
    for name in sorted(set(actual) - set(expected)):
        fix = d.drop_view(name, materialized=materialized) + "\n" + OR_BASELINE
        out.append(Finding(I, f"{kind}.unexpected", f"{label} {name}", "not in the baseline", fix))
    return out


def _sequence_text(q: Sequence) -> str:
    text = f"as {q.type} start {q.start} increment {q.increment}"
    if q.min_value is not None:
        text += f" minvalue {q.min_value}"
    if q.max_value is not None:
        text += f" maxvalue {q.max_value}"
    return text + (" cycle" if q.cycle else "")


def _sequence_changes(want: Sequence, have: Sequence) -> str:
    changes = [
        f"{label} {getattr(want, attr)} became {getattr(have, attr)}"
        for attr, label in (
            ("type", "type"),
            ("start", "start"),
            ("increment", "increment"),
            ("min_value", "minvalue"),
            ("max_value", "maxvalue"),
            ("cycle", "cycle"),
        )
        if getattr(want, attr) != getattr(have, attr)
    ]
    return "; ".join(changes)


def _identity_of(schema: Schema, sequence: Sequence) -> str | None:
    """The identity column a sequence belongs to (its fix is that column's), or None."""
    table, _, column = (sequence.owned_by or "").rpartition(".")
    owner = schema.tables.get(table)
    col = owner.columns.get(column) if owner else None
    return sequence.owned_by if col is not None and col.identity else None


def _sequences(expected: Schema, actual: Schema, d: Ddl) -> list[Finding]:
    out: list[Finding] = []
    for name, want in sorted(expected.sequences.items()):
        obj = f"sequence {name}"
        have = actual.sequences.get(name)
        if have is None:
            identity = _identity_of(expected, want)
            fix = (
                f"-- the fix of identity column {identity} brings it back"
                if identity
                else d.create_sequence(want)
            )
            out.append(Finding(W, "sequence.missing", obj, "sequence is missing", fix))
            continue
        legacy = want == Sequence(name)  # an older baseline that kept the name only
        changes = "" if legacy else _sequence_changes(want, have)
        if changes:
            out.append(Finding(W, "sequence.changed", obj, changes, d.alter_sequence(want, have)))
        if not legacy and want.owned_by != have.owned_by:
            out.append(
                Finding(
                    I,
                    "sequence.owner_changed",
                    obj,
                    f"owned by {want.owned_by or 'nothing'} became {have.owned_by or 'nothing'}",
                    d.sequence_owner(want),
                )
            )
    for name in sorted(set(actual.sequences) - set(expected.sequences)):
        identity = _identity_of(actual, actual.sequences[name])
        fix = (
            f"-- the fix of identity column {identity} removes it"
            if identity
            else d.drop_sequence(name) + "\n" + OR_BASELINE
        )
        out.append(
            Finding(I, "sequence.unexpected", f"sequence {name}", "not in the baseline", fix)
        )
    return out


def _extensions(expected: Schema, actual: Schema, d: Ddl) -> list[Finding]:
    out: list[Finding] = []
    for name, version in sorted(expected.extensions.items()):
        obj = f"extension {name}"
        if name not in actual.extensions:
            fix = d.create_extension(name)
            out.append(Finding(W, "extension.missing", obj, "extension is missing", fix))
        elif version and actual.extensions[name] and actual.extensions[name] != version:
            out.append(
                Finding(
                    I,
                    "extension.version_changed",
                    obj,
                    f"version {version} became {actual.extensions[name]}",
                    d.update_extension(name, version),
                )
            )
    for name in sorted(set(actual.extensions) - set(expected.extensions)):
        fix = d.drop_extension(name) + "\n" + OR_BASELINE
        out.append(
            Finding(I, "extension.unexpected", f"extension {name}", "not in the baseline", fix)
        )
    return out


def plural(kind: str) -> str:
    """``policy`` → ``policies``, ``trigger`` → ``triggers``."""
    if kind.endswith("y") and not kind.endswith(("ay", "ey", "oy")):
        return kind[:-1] + "ies"
    return kind + ("es" if kind.endswith(("s", "x", "ch", "sh")) else "s")


def _names(names: list[str]) -> str:
    return ", ".join(names[:5]) + (", …" if len(names) > 5 else "")


def _not_compared(expected: Schema, actual: Schema, strict: bool) -> list[Finding]:
    """One line per kind on either side: how many, and which names came or went."""
    out: list[Finding] = []
    for kind in sorted(set(expected.not_compared) | set(actual.not_compared)):
        before, now = set(expected.not_compared.get(kind, ())), actual.not_compared.get(kind, ())
        message = f"not compared: {len(now)} {kind if len(now) == 1 else plural(kind)}"
        if now:
            message += f" ({_names(list(now))})"
        added = sorted(set(now) - before)
        removed = sorted(before - set(now))
        if expected.not_compared and added:
            message += f"; not in the baseline: {_names(added)}"
        if removed:
            message += f"; gone since the baseline: {_names(removed)}"
        out.append(
            Finding(
                E if strict else I,
                "not_compared",
                plural(kind),
                message,
                "compare them by hand, or ignore them in the baseline with a reason",
            )
        )
    return out


def diff_objects(expected: Schema, actual: Schema, strict: bool, d: Ddl) -> list[Finding]:
    return (
        _definitions("view", "view", expected.views, actual.views, d)
        + _definitions(
            "materialized_view",
            "materialized view",
            expected.materialized_views,
            actual.materialized_views,
            d,
        )
        + _sequences(expected, actual, d)
        + _extensions(expected, actual, d)
        + _not_compared(expected, actual, strict)
    )
