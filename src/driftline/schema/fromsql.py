"""A schema from a DDL file, built by the database itself.

The file is split the way its client would (psql, mysql, sqlite3: :mod:`driftline.lint.split`),
each statement is executed in a throwaway database of the target dialect (SQLite in memory;
PostgreSQL and MariaDB on a scratch server the user names) and the result is snapshotted by the
same inspector as a live database. So a baseline from DDL equals the snapshot of a database
built from that DDL by construction: folding, ``serial``, defaults and types are the server's.

Nothing that touches more than the throwaway database runs: CREATE/DROP DATABASE, USE, roles,
ownership and privileges are skipped, and so are rows (INSERT, COPY): a baseline holds none.
A statement the server refuses is one ``file:line: skipped …: reason`` line, never a traceback.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from driftline import dialects
from driftline.errors import InputFileError, UsageError
from driftline.schema.model import Schema

SCRATCH_ENV = "DRIFTLINE_SCRATCH_SERVER"

_SANDBOX = re.compile(r"/\*M?!999999\\-[^\n]*")  # mariadb-dump's first line, for its client
_HASH = re.compile(r"^((?:[^'#\n]|'[^'\n]*')*)#[^\n]*", re.M)
_CONDITIONAL = re.compile(r"/\*!\d*\s*|\*/")  # mysqldump's /*!40101 … */ wrappers
_DATA = re.compile(r"^(INSERT|REPLACE|COPY|UPDATE|DELETE|LOCK\s+TABLES?|UNLOCK\s+TABLES?)\b", re.I)
_ELSEWHERE = re.compile(
    r"^((CREATE|DROP|ALTER)\s+(DATABASE|SCHEMA\s+IF\s+EXISTS\s+public\b|ROLE|USER|GROUP)\b"
    r"|USE\b|GRANT\b|REVOKE\b|SET\s+ROLE\b|SET\s+SESSION\s+AUTHORIZATION\b"
    r"|ALTER\s+DEFAULT\s+PRIVILEGES\b|ALTER\s+\w+(\s+\w+)?\s+\S+.*\bOWNER\s+TO\b)",
    re.I | re.S,
)


@dataclass
class FromSql:
    """The schema a DDL file builds, and one line per statement that was not executed."""

    schema: Schema
    skipped: list[str] = field(default_factory=list)


@dataclass
class _Run:
    path: str
    skipped: list[str] = field(default_factory=list)
    executed: int = 0
    data: int = 0
    privileges: int = 0

    def skip(self, line: int, text: str, why: str) -> None:
        head = " ".join(text.split())
        head = head if len(head) <= 48 else head[:47] + "…"
        self.skipped.append(f"{self.path}:{line}: skipped {head}: {why}")

    def summary(self) -> list[str]:
        out = list(self.skipped)
        if self.data:
            out.append(
                f"{self.path}: skipped {self.data} data statement(s) (a baseline holds no rows)"
            )
        if self.privileges:
            out.append(
                f"{self.path}: skipped {self.privileges} database, role, ownership or privilege "
                "statement(s) (not modelled)"
            )
        return out


def _statements(source: str, dialect: dialects.Dialect, run: _Run) -> Iterator[tuple[int, str]]:
    from driftline.lint import dialect as lint_dialect
    from driftline.lint.split import split

    pieces = split(source, lint_dialect.get(dialect.name), executable_comments=True)
    pending: tuple[int, str] | None = None
    for piece in pieces:
        if piece.skipped:
            if piece.skipped.startswith(("a psql", "a sqlite3")):
                run.skip(piece.line, piece.text, f"{piece.skipped} (the client's, not SQL)")
            continue
        text = piece.text
        if pending is not None:  # a trigger body the splitter cut at its inner ';'
            text = f"{pending[1]};\n{text}"
        line = pending[0] if pending else piece.line
        if dialect.file_based and not sqlite3.complete_statement(text + ";"):
            pending = (line, text)
            continue
        pending = None
        yield line, text
    if pending is not None:
        yield pending


def strip_hash_comments(source: str) -> str:
    """Drop ``#`` to the end of each line (outside '…' strings), as vendor loaders such as
    Request Tracker's do before sending their schema files to any database."""
    return _HASH.sub(r"\1", source)


def _wanted(line: int, text: str, run: _Run) -> bool:
    bare = _CONDITIONAL.sub("", text).strip().lstrip("(")
    if _DATA.match(bare):
        run.data += 1
        return False
    if _ELSEWHERE.match(bare):
        run.privileges += 1
        return False
    return bool(bare.strip(" ;"))


def _reason(exc: Exception) -> str:
    orig = getattr(exc, "orig", None) or exc
    args = getattr(orig, "args", ())
    pymysql = len(args) == 2 and isinstance(args[0], int)  # PyMySQL: (code, message)
    text = str(args[1]) if pymysql else str(orig)
    first = text.strip().splitlines()[0] if text.strip() else type(orig).__name__
    return first if len(first) <= 120 else first[:119] + "…"


def _execute(raw, source: str, dialect: dialects.Dialect, run: _Run) -> None:
    cursor = raw.cursor()
    try:
        for line, text in _statements(source, dialect, run):
            if not _wanted(line, text, run):
                continue
            try:
                cursor.execute(text)
                run.executed += 1
            except Exception as exc:  # the server refused it: say so, go on
                run.skip(line, text, _reason(exc))
    finally:
        cursor.close()


def _sqlite_memory(source: str, dialect: dialects.Dialect, run: _Run) -> Schema:
    import sqlalchemy as sa
    from sqlalchemy.pool import StaticPool

    from driftline.schema.inspect import inspect

    raw = sqlite3.connect(":memory:", isolation_level=None)
    try:
        _execute(raw, source, dialect, run)
        engine = sa.create_engine("sqlite://", creator=lambda: raw, poolclass=StaticPool)
        try:
            return inspect(engine)
        finally:
            engine.dispose()
    finally:
        raw.close()


def _on_server(source: str, dialect: dialects.Dialect, run: _Run, server: str) -> Schema:
    from driftline.db import make_engine
    from driftline.schema.inspect import inspect
    from driftline.scratch import scratch_database

    with scratch_database(server, prefix="driftline_fromsql") as url:
        engine = make_engine(url, isolation_level="AUTOCOMMIT")
        try:
            raw = engine.raw_connection()
            try:
                _execute(raw, source, dialect, run)
            finally:
                raw.close()
        finally:
            engine.dispose()
        return inspect(url)


def scratch_server(dialect: dialects.Dialect, given: str | None) -> str | None:
    """The server ``--from-sql`` builds on: ``--scratch-server``, else the environment."""
    if dialect.file_based:
        return None
    server = given or os.environ.get(SCRATCH_ENV)
    if not server:
        raise UsageError(
            f"--from-sql for {dialect.name} executes the DDL in a throwaway database: give "
            f"--scratch-server URL (a {dialect.name} server where driftline may create and drop "
            f"a database) or set {SCRATCH_ENV}"
        )
    if dialects.of(server).name != dialect.name:
        raise UsageError(
            f"--scratch-server is {dialects.of(server).name}, but the DDL is {dialect.name}"
        )
    return server


def schema_from_sql(
    path: str | Path, dialect: str, server: str | None = None, *, hash_comments: bool = False
) -> FromSql:
    """Build the schema of the DDL file ``path`` in a throwaway database and snapshot it.

    ``hash_comments``: ``#`` starts a comment on any line (vendor files whose loader strips it).
    """
    d = dialects.get(dialect)
    target = scratch_server(d, server)
    try:
        source = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputFileError(path, "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(path, f"cannot read it ({exc})") from None
    run = _Run(str(path))
    sandbox = _SANDBOX.match(source)
    if sandbox:  # a client command on a line of its own: blank it, keep the line numbers
        run.skip(1, sandbox.group(0), "the mariadb client's sandbox command (not SQL)")
        source = source[sandbox.end() :]
    if hash_comments:
        source = strip_hash_comments(source)
    if target is None:
        schema = _sqlite_memory(source, d, run)
    else:
        schema = _on_server(source, d, run, target)
    built = (
        schema.tables
        or schema.views
        or schema.sequences
        or schema.materialized_views
        or schema.extensions
        or schema.not_compared
    )
    if not run.executed or not built:
        what = (
            "holds no SQL statement"
            if not run.executed and not run.skipped
            else (
                f"created no schema object ({run.executed} statement(s) executed, "
                f"{len(run.skipped)} refused)"
            )
        )
        first = f"; first refused: {run.skipped[0]}" if run.skipped else ""
        raise InputFileError(path, f"{what}: not a schema{first}")
    return FromSql(schema, run.summary())
