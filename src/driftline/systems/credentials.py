"""Credentials for the system under test: read from the environment, never from argv.

``DRIFTLINE_TARGET_USER`` / ``DRIFTLINE_TARGET_PASSWORD`` (basic auth) or the token variable
the adapter names; for ``query`` stages also the system's database URL (``--db``, or
``DRIFTLINE_TARGET_DB`` in a plain Locust run). The stress runner hands them to its Locust
processes in a file readable by the owner only (0600, in a 0700 directory that is removed after
the run) and strips the variables from the children's environment, so they appear in no command
line, no inherited environment, no run file and no log.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from driftline.errors import InputFileError, UsageError
from driftline.systems.model import DB_ENV, PASSWORD_ENV, USER_ENV, Auth

#: Variables never passed on to a child process.
ALWAYS_STRIPPED = (USER_ENV, PASSWORD_ENV, DB_ENV)


@dataclass(frozen=True)
class Credentials:
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    db: str | None = field(default=None, repr=False)  # the system's database (query stages)

    def headers(self, auth: Auth) -> dict[str, str]:
        """The HTTP headers that authenticate a request under ``auth``."""
        if auth.kind == "basic" and self.user is not None:
            raw = f"{self.user}:{self.password or ''}".encode()
            return {"Authorization": "Basic " + base64.b64encode(raw).decode("ascii")}
        if auth.kind == "token" and self.token:
            value = f"{auth.scheme} {self.token}" if auth.scheme else self.token
            return {auth.header: value}
        return {}

    def secrets(self) -> list[str]:
        from driftline.secrets import url_password

        return [s for s in (self.password, self.token, url_password(self.db)) if s]

    @property
    def for_children(self) -> bool:
        """Whether the Locust processes need a credentials file."""
        return bool(self.password or self.token or self.db)


def from_env(auth: Auth, env: Mapping[str, str] | None = None, system: str = "") -> Credentials:
    """The credentials ``auth`` needs, from the environment; missing ones are a usage error."""
    env = os.environ if env is None else env
    who = f"system {system}" if system else "the system"
    if auth.kind == "basic":
        missing = [n for n in (USER_ENV, PASSWORD_ENV) if not env.get(n)]
        if missing:
            raise UsageError(
                f"{who} uses HTTP basic auth: set {' and '.join(missing)} in the environment"
            )
        return Credentials(user=env[USER_ENV], password=env[PASSWORD_ENV])
    if auth.kind == "token":
        name = auth.token_env or ""
        if not env.get(name):
            raise UsageError(f"{who} uses a token: set {name} in the environment")
        return Credentials(token=env[name])
    return Credentials()


def child_env(auth: Auth | None = None, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """``env`` (default: this process's) without any credential variable."""
    env = os.environ if env is None else env
    drop = set(ALWAYS_STRIPPED)
    if auth is not None and auth.token_env:
        drop.add(auth.token_env)
    return {k: v for k, v in env.items() if k not in drop}


@contextlib.contextmanager
def credentials_file(creds: Credentials) -> Iterator[Path]:
    """A 0600 JSON file with ``creds`` in a private 0700 directory, removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="driftline-cred-"))  # mkdtemp: mode 0700
    path = folder / "credentials.json"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(
                {
                    "user": creds.user,
                    "password": creds.password,
                    "token": creds.token,
                    "db": creds.db,
                },
                fh,
            )
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def read_file(path: str | Path) -> Credentials:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputFileError(
            path, f"cannot read the credentials file: {type(exc).__name__}"
        ) from None
    return Credentials(data.get("user"), data.get("password"), data.get("token"), data.get("db"))
