"""The databases' own clients, for round-trip tests: load a file, dump a database."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import sqlalchemy as sa


def _pg_args(url: str) -> list[str]:
    u = sa.engine.make_url(url)
    return ["-h", u.host or "127.0.0.1", "-p", str(u.port or 5432), "-U", u.username or "postgres"]


def _my_args(url: str) -> list[str]:
    u = sa.engine.make_url(url)
    return ["-h", u.host or "127.0.0.1", "-P", str(u.port or 3306), "-u", u.username or "root"]


def _run(cmd: list[str], stdin: Path | None = None, stdout: Path | None = None) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "MYSQL"))}
    with open(stdin or os.devnull, "rb") as fin, open(stdout or os.devnull, "wb") as fout:
        done = subprocess.run(cmd, stdin=fin, stdout=fout, stderr=subprocess.PIPE, env=env,
                              timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, (cmd, done.stderr.decode()[-2000:])


def load(url: str, path: Path) -> None:
    """Run a SQL file with the database's own client, stopping at the first error."""
    u = sa.engine.make_url(url)
    backend = u.get_backend_name()
    if backend == "postgresql":
        _run(["psql", *_pg_args(url), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", u.database,
              "-f", str(path)])  # fmt: skip
    elif backend in ("mysql", "mariadb"):
        _run(["mysql", *_my_args(url), u.database], stdin=path)
    else:
        _run(["sqlite3", "-bail", u.database], stdin=path)


def dump(url: str, out: Path, *, schema_only: bool = False) -> Path:
    """pg_dump, mysqldump or sqlite3 .dump/.schema of ``url`` into ``out``."""
    u = sa.engine.make_url(url)
    backend = u.get_backend_name()
    if backend == "postgresql":
        extra = ["--schema-only"] if schema_only else []
        _run(["pg_dump", *_pg_args(url), *extra, u.database], stdout=out)
    elif backend in ("mysql", "mariadb"):
        extra = ["--no-data"] if schema_only else []
        _run(["mysqldump", *_my_args(url), "--routines", "--events", "--triggers", *extra,
              u.database], stdout=out)  # fmt: skip
    else:
        _run(["sqlite3", u.database, ".schema" if schema_only else ".dump"], stdout=out)
    return out
