"""Linting files: split, parse, apply every rule, honour suppressions, return findings."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlglot import exp

from driftline.db import sqlglot_dialect
from driftline.errors import InputFileError
from driftline.findings import Finding, Severity
from driftline.lint import suppress
from driftline.lint.baseline_view import BaselineView, bare, load_view
from driftline.lint.rules import RULES, Context
from driftline.lint.statements import Statement, parse

__all__ = ["RULES", "lint_files", "lint_text"]


def _created(statements: list[Statement]) -> tuple[set[str], set[str]]:
    tables, indexes = set(), set()
    for st in statements:
        if isinstance(st.tree, exp.Create):
            kind = (st.tree.args.get("kind") or "").upper()
            target = st.tree.this
            if kind == "TABLE":
                table = target.find(exp.Table) if target is not None else None
                if table is not None:
                    tables.add(bare(table.name))
            elif kind == "INDEX" and isinstance(target, exp.Index) and target.this is not None:
                indexes.add(bare(target.this.name))
    return tables, indexes


def lint_text(
    source: str,
    path: str,
    *,
    dialect: str = "postgresql",
    baseline: BaselineView | None = None,
    large_tables: Iterable[str] = (),
) -> list[Finding]:
    """Findings for one file's text; each names ``path``, the line and the rule."""
    read = sqlglot_dialect(dialect)
    statements = parse(source, read)
    created_tables, created_indexes = _created(statements)
    ctx = Context(
        dialect=read,
        baseline=baseline,
        large_tables={bare(t) for t in large_tables},
        created_tables=created_tables,
        created_indexes=created_indexes,
    )
    marks = suppress.find(source)
    findings: list[Finding] = []
    for st in statements:
        found: list[tuple[str, Severity, str, str, str | None]] = []
        if st.tree is None:
            found.append(
                (
                    "unparseable",
                    Severity.WARNING,
                    "statement",
                    f"could not parse this statement ({st.error}); it was not checked",
                    "check it by hand, or report the syntax to driftline",
                )
            )
        else:
            for name, check in RULES.items():
                found += [(name, *hit) for hit in check(st.tree, ctx)]
        for rule, severity, obj, message, fix in found:
            notes = suppress.for_statement(marks, st.line)
            muted = [s for s in notes if s.rule == rule and s.reason]
            if muted:
                continue
            findings.append(
                Finding(
                    severity, f"lint.{rule.replace('-', '_')}", obj, message, fix, path, st.line
                )
            )
        for mark in suppress.for_statement(marks, st.line):
            if not mark.reason:
                findings.append(
                    Finding(
                        Severity.WARNING,
                        "lint.suppression_without_reason",
                        f"rule {mark.rule}",
                        f"'driftline: ignore {mark.rule}' needs a reason; it suppresses nothing",
                        f"-- driftline: ignore {mark.rule} <why this is safe>",
                        path,
                        mark.line,
                    )
                )
    return findings


def lint_files(
    paths: Iterable[str | Path],
    *,
    baseline: str | Path | BaselineView | None = None,
    dialect: str | None = None,
    large_tables: Iterable[str] = (),
) -> list[Finding]:
    """Lint every file; the dialect defaults to the baseline's, else PostgreSQL."""
    view = load_view(baseline) if isinstance(baseline, str | Path) else baseline
    if dialect is None:
        dialect = _baseline_dialect(baseline) or "postgresql"
    findings: list[Finding] = []
    for path in paths:
        try:
            source = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputFileError(path, "no such file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputFileError(path, f"cannot read: {exc}") from None
        findings += lint_text(
            source, str(path), dialect=dialect, baseline=view, large_tables=large_tables
        )
    return findings


def _baseline_dialect(baseline: str | Path | BaselineView | None) -> str | None:
    if isinstance(baseline, str | Path):
        from driftline.yamlfile import load_yaml

        data = load_yaml(baseline).data
        if isinstance(data, dict) and isinstance(data.get("dialect"), str):
            return data["dialect"]
    return None
