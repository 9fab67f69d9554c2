"""Linting files: split as the client does, evaluate each statement against the schema as it
stands at its line, apply the statement's effect, honour suppressions, return findings.

Files are evaluated in the order given, against one state: a migration directory's second file
sees the tables the first one created.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError, TokenError

from driftline.errors import InputFileError
from driftline.findings import Finding, Severity
from driftline.lint import bodies, effects, suppress, textual
from driftline.lint import rules_locks as _rules_locks  # noqa: F401 - registers its rules
from driftline.lint.dialect import LintDialect, get
from driftline.lint.dynamic import Values
from driftline.lint.rules import OPT_IN, RULES, Context
from driftline.lint.state import Routine, State, from_schema

__all__ = ["RULES", "LintRun", "lint_files", "lint_text", "new_state"]

_CALL = re.compile(r"CALL\b", re.I)
#: dynamic SQL at the top level: checked like the same statement inside a body
_DYNAMIC = re.compile(r"(PREPARE\s+\w+\s+FROM|EXECUTE\s+(IMMEDIATE\s+)?E?')", re.I)
_EXECUTE_PREPARED = re.compile(r"EXECUTE\s+(\w+)\s*(?:USING\b.*)?$", re.I | re.S)
_PREPARE_NAME = re.compile(r"PREPARE\s+(\w+)", re.I)
_MAX_DEPTH = 4
#: sqlglot logs each statement it keeps as a command; lint reports those itself
logging.getLogger("sqlglot").setLevel(logging.ERROR)


@functools.cache
def _sqlglot_dialect(name: str) -> Dialect:
    # parse_one(read=name) looks the dialect up and builds it again for every statement
    return Dialect.get_or_raise(name)


def new_state(
    dialect: str | LintDialect,
    baseline: object | None = None,
    *,
    large_tables: Iterable[str] = (),
    critical: Iterable[str] = (),
    hash_comments: bool = False,
) -> State:
    """The state lint starts from: a baseline's schema (``driftline.schema.baseline.Baseline``)
    or nothing. ``critical`` marks more indexes, and primary keys written ``TABLE.primary_key``
    or as their constraint name (``TABLE_pkey``)."""
    d = dialect if isinstance(dialect, LintDialect) else get(dialect)
    if hash_comments:
        d = dataclasses.replace(d, hash_lines=True)
    if baseline is None:
        state = State(d)
    else:
        state = from_schema(
            baseline.schema,  # type: ignore[attr-defined]
            d,
            critical_indexes=set(baseline.critical_indexes),  # type: ignore[attr-defined]
            critical_tables=set(baseline.critical_tables),  # type: ignore[attr-defined]
            path=str(getattr(baseline, "path", "")),
        )
    state.large_tables = {t if t == "*" else state.key(t) for t in large_tables}
    for name in critical:
        _mark_critical(state, name)
    for name in list(state.critical_indexes):  # a baseline may name a primary key's index
        if state.index(name) is None:
            _mark_critical(state, name)
    return state


def _mark_critical(state: State, name: str) -> None:
    text = name.strip()
    if text.count(".") >= 1 and not text.lower().endswith((".primary_key", ".pkey")):
        text = text.rsplit(".", 1)[-1]  # schema.table.index → index
    for suffix in (".primary_key", ".pkey", "_pkey"):
        table = state.key(text[: -len(suffix)]) if text.lower().endswith(suffix) else ""
        if table and table in state.tables:
            state.critical_keys.add(table)
            return
    key = state.key(text)
    state.critical_indexes.add(key)
    found = state.index(key)
    if found is not None:
        state.critical_defs[key] = found


class _Linter:
    def __init__(self, state: State, path: str, source: str, enabled: set[str], major: int) -> None:
        self.state = state
        self.path = path
        self.marks = suppress.find(source)
        self.ctx = Context(state, enabled, major)
        self.rules = [(n, r) for n, r in RULES.items() if n not in OPT_IN or n in enabled]
        self.findings: list[Finding] = []
        self.reasonless: set[int] = set()
        #: routines this file defines and has not called yet: key → line of the definition
        self.defined: dict[str, int] = {}
        self.values = Values()

    def report(
        self, rule: str, severity: Severity, obj: str, message: str, fix: str | None, line: int,
        lines: tuple[int, ...] = (),
    ) -> None:  # fmt: skip
        notes = [m for at in (line, *lines) for m in suppress.for_statement(self.marks, at)]
        if any(m.rule == rule and m.reason for m in notes):
            return
        kind = f"lint.{rule.replace('-', '_')}"
        self.findings.append(Finding(severity, kind, obj, message, fix, self.path, line))

    def statement(self, text: str, line: int, where: str = "", depth: int = 0, outer: int = 0):  # type: ignore[no-untyped-def]
        d = self.state.dialect
        outer_lines = (outer,) if outer else ()
        self._suppressions(line)
        if d.dollar_quotes:
            block = bodies.do_body(text, line)
            if block is not None:
                self.body(block[0], block[1], f" (in the DO block at line {line})", depth, line)
                return
        if _DYNAMIC.match(text):
            self.body(text, line, f" (in the dynamic SQL at line {line})", depth, line)
            return
        made = bodies.routine(text, line)
        if made is not None:
            name, body, at, params = made
            self.state.routines[self.state.key(name)] = Routine(name, body, at, params)
            self.defined[self.state.key(name)] = line
            return
        if not _CALL.match(text):
            for tree in self.parse(text, line, where, outer_lines):
                self.values.assign(tree, d.glot)
                self.evaluate(tree, line, where, outer_lines)
        for name, args in bodies.calls(text):
            found = self.state.routines.get(self.state.key(name))
            self.defined.pop(self.state.key(name), None)
            if found is None or depth >= _MAX_DEPTH:
                continue
            pairs = zip(found.params, args, strict=False)
            bound = {p.lower(): a for p, a in pairs if a is not None}
            bound |= {f"${i}": a for i, a in enumerate(args, start=1) if a is not None}
            self.values.bound.append(bound)
            try:
                self.body(
                    found.body, found.line, f" (in {found.name}, called at line {line})", depth,
                    line,
                )  # fmt: skip
            finally:
                self.values.bound.pop()

    def body(self, text: str, line: int, where: str, depth: int, outer: int) -> None:
        for inner in bodies.statements(text, line, self.state.dialect):
            if inner.assign:
                self.values.assign_local(*inner.assign, self.state.dialect.glot)
                continue
            prepared = _PREPARE_NAME.match(inner.text)
            if prepared:
                self.values.prepared.add(prepared.group(1).lower())
            executes = _EXECUTE_PREPARED.match(inner.text)
            if executes and executes.group(1).lower() in self.values.prepared:
                continue  # runs what PREPARE made: checked (or reported) there
            known = self.values.resolve(inner.text, self.state.dialect.glot)
            if inner.unchecked and known is not None:
                for built in bodies.statements(known, inner.line, self.state.dialect):
                    if not built.unchecked:
                        self.statement(built.text, built.line, where, depth + 1, outer)
                continue
            if inner.unchecked:
                self.report(
                    "dynamic-sql", Severity.WARNING, "statement",
                    f"{inner.unchecked}{where}: {_first_words(inner.text)} was not checked",
                    "check the SQL it builds by hand, or write it out literally", inner.line,
                    (outer,),
                )  # fmt: skip
                continue
            self.statement(inner.text, inner.line, where, depth + 1, outer)

    def parse(
        self, text: str, line: int, where: str, outer: tuple[int, ...]
    ) -> list[exp.Expression]:
        state = self.state
        built = textual.trees(text)
        if built is not None:
            return built
        converted = textual.converted_table(text)
        if converted is not None:
            table = effects.ident(state, converted)
            if state.is_big(table):
                self.report(
                    "table-rewrite", Severity.WARNING, f"table {table}",
                    f"CONVERT TO CHARACTER SET copies the whole of {table}; writes to it wait "
                    f"until the copy ends{where}",
                    "convert in a maintenance window, or with an online schema-change tool",
                    line, outer,
                )  # fmt: skip
            return []
        try:
            tree = sqlglot.parse_one(text, read=_sqlglot_dialect(state.dialect.glot))
        except (ParseError, TokenError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            self.unparseable(text, line, first, where, outer)
            return []
        if isinstance(tree, exp.Command):
            if not textual.harmless(text):
                self.unparseable(text, line, f"unsupported syntax: {text.split()[0]}", where, outer)
            return []
        return [tree]

    def unparseable(
        self, text: str, line: int, error: str, where: str, outer: tuple[int, ...]
    ) -> None:
        words = textual.destructive_words(text)
        if words:
            severity = Severity.ERROR
            what = f"the {'/'.join(words)} in it was not checked"
        else:
            severity = Severity.WARNING
            what = "it was not checked"
        self.report(
            "unparseable", severity, "statement",
            f"could not parse this statement{where} ({error}); {what}",
            "check it by hand, or report the syntax to driftline", line, outer,
        )  # fmt: skip

    def evaluate(self, tree: exp.Expression, line: int, where: str, outer: tuple[int, ...]) -> None:
        for name, check in self.rules:
            for severity, obj, message, fix in check(tree, self.ctx):
                self.report(name, severity, obj, message + where, fix, line, outer)
        effects.apply(self.state, tree)

    def _suppressions(self, line: int) -> None:
        for mark in suppress.for_statement(self.marks, line):
            if not mark.reason and mark.line not in self.reasonless:
                self.reasonless.add(mark.line)
                self.findings.append(
                    Finding(
                        Severity.WARNING,
                        "lint.suppression_without_reason",
                        f"rule {mark.rule}",
                        f"'driftline: ignore {mark.rule}' needs a reason; it suppresses nothing",
                        f"-- driftline: ignore {mark.rule} <why this is safe>",
                        self.path,
                        mark.line,
                    )
                )

    def uncalled(self) -> None:
        """Bodies the file defines but never calls run later, on a schema lint cannot know:
        checked against the schema as the file leaves it, without changing it."""
        after = self.state
        for key, line in self.defined.items():
            routine = after.routines[key]
            self.state = self.ctx.state = after.copy()
            where = f" (in {routine.name}, defined at line {line} and not called in this file)"
            self.body(routine.body, routine.line, where, 0, line)
        self.state = self.ctx.state = after

    def skipped(self, text: str, line: int, why: str) -> None:
        if text.split()[0].lower() == "\\gexec":
            self.report(
                "dynamic-sql", Severity.WARNING, "statement",
                "psql's \\gexec runs each value the statement before it returns as SQL: "
                "that SQL was not checked",
                "write the statements out, or check what the query returns by hand", line,
            )  # fmt: skip
        elif why == "a psql meta-command" or why == "a sqlite3 shell command":
            self.report(
                "client-command", Severity.INFO, "statement",
                f"{_first_words(text)} is {why}: the client runs it and the server never sees it; "
                "lint skipped it",
                None, line,
            )  # fmt: skip


def _first_words(text: str, limit: int = 40) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def lint_text(
    source: str,
    path: str,
    *,
    dialect: str = "postgresql",
    baseline: object | None = None,
    large_tables: Iterable[str] = (),
    state: State | None = None,
    rules: Iterable[str] = (),
    critical: Iterable[str] = (),
) -> list[Finding]:
    """Findings for one file's text; each names ``path``, the line and the rule.

    ``baseline`` is a ``driftline.schema.baseline.Baseline``; ``state`` (which it replaces)
    carries the schema on from a previous file. ``rules`` turns on opt-in rules.
    """
    from driftline.lint.split import split

    if state is None:
        state = new_state(dialect, baseline, large_tables=large_tables, critical=critical)
    major = _major(getattr(baseline, "schema", None))
    linter = _Linter(state, path, source, set(rules), major)
    for piece in split(source, state.dialect):
        if piece.skipped:
            linter.skipped(piece.text, piece.line, piece.skipped)
            continue
        try:
            linter.statement(piece.text, piece.line)
        except RecursionError:
            raise _too_deep(path, piece.line) from None
    try:
        linter.uncalled()
    except RecursionError:
        raise _too_deep(path, None) from None
    return linter.findings


def _too_deep(path: str, line: int | None) -> InputFileError:
    return InputFileError(
        path, "statement nested too deeply to check; split or flatten it", line=line
    )


def read_source(path: str | Path, data: bytes | None = None) -> str:
    """A SQL file's text (from ``data``, its bytes, when the caller has read them); an
    unreadable or non-UTF-8 file is an :class:`InputFileError` naming the file (and, for bad
    bytes, their line)."""
    if data is None:
        try:
            data = Path(path).read_bytes()
        except FileNotFoundError:
            raise InputFileError(path, "no such file") from None
        except OSError as exc:
            raise InputFileError(path, f"cannot read: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start : exc.start + 1].hex()
        raise InputFileError(
            path, f"not UTF-8 text (byte 0x{byte} cannot be decoded); save it as UTF-8", line=line
        ) from None


def _major(schema: object | None) -> int:
    version = str(getattr(schema, "server_version", "") or "")
    m = re.match(r"(\d+)", version)
    return int(m.group(1)) if m else 15


class LintRun:
    """Files linted in order against one evolving schema: each is judged on the schema the files
    before it left. ``state`` is that schema after the last file linted.

    ``baseline`` is a path or a ``driftline.schema.baseline.Baseline``; the dialect defaults to
    the baseline's, else PostgreSQL. ``hash_comments``: lines starting with ``#`` are comments,
    as some vendors' loaders strip them before the SQL reaches the server. ``state`` goes on from
    a state an earlier run over the same options left (see :mod:`driftline.lint.resume`).
    """

    def __init__(
        self,
        *,
        baseline: str | Path | object | None = None,
        dialect: str | None = None,
        large_tables: Iterable[str] = (),
        rules: Iterable[str] = (),
        critical: Iterable[str] = (),
        hash_comments: bool = False,
        state: State | None = None,
    ) -> None:
        if isinstance(baseline, str | Path):
            from driftline.schema.baseline import load_baseline

            baseline = load_baseline(baseline)
        self.baseline = baseline
        self.rules = tuple(rules)
        unknown = set(self.rules) - set(RULES)
        if unknown:
            from driftline.errors import UsageError

            raise UsageError.unknown("rule", sorted(unknown)[0], RULES)
        if state is None:
            if dialect is None:
                dialect = getattr(baseline, "dialect", None) or "postgresql"
            state = new_state(
                dialect,
                baseline,
                large_tables=large_tables,
                critical=critical,
                hash_comments=hash_comments,
            )
        self.state = state

    def lint(
        self, paths: Sequence[str | Path], data: Sequence[bytes] | None = None
    ) -> list[Finding]:
        """Findings of ``paths``, in order, going on from the files linted before; ``data`` is
        their bytes when the caller has read them already."""
        findings: list[Finding] = []
        for i, path in enumerate(paths):
            source = read_source(path, None if data is None else data[i])
            findings += lint_text(
                source, str(path), baseline=self.baseline, state=self.state, rules=self.rules
            )
        return findings


def lint_files(
    paths: Iterable[str | Path],
    *,
    baseline: str | Path | object | None = None,
    dialect: str | None = None,
    large_tables: Iterable[str] = (),
    rules: Iterable[str] = (),
    critical: Iterable[str] = (),
    hash_comments: bool = False,
) -> list[Finding]:
    """Lint every file, in order, against one evolving state (see :class:`LintRun`)."""
    run = LintRun(
        baseline=baseline,
        dialect=dialect,
        large_tables=large_tables,
        rules=rules,
        critical=critical,
        hash_comments=hash_comments,
    )
    return run.lint(list(paths))
