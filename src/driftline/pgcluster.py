"""A private PostgreSQL cluster: initdb in a temporary directory, its own free port, stopped and
deleted afterwards.

Anything that needs server settings (``shared_preload_libraries``), a password, or a restart runs
on one of these instead of a shared server::

    from driftline.pgcluster import PgCluster

    with PgCluster(settings={"shared_preload_libraries": "pg_stat_statements"}) as cluster:
        url = cluster.url()            # postgresql://postgres@127.0.0.1:<port>/postgres
        cluster.restart()              # a real restart, nobody else's server
    # stopped, directory deleted

The server binaries are found in ``DRIFTLINE_PG_BINDIR``, on ``PATH``, or in the newest
``/usr/lib/postgresql/<major>/bin`` (Debian's layout). Run as root, every server command runs as
the ``postgres`` user through ``runuser`` (PostgreSQL refuses to run as root); otherwise as the
current user. The cluster listens on 127.0.0.1 only, with its socket in its own directory.

:func:`restart_data_dir` restarts the server of any data directory (the ``db-restart`` drill);
:func:`data_dir_port` reads the port a running server of a data directory listens on.
"""

from __future__ import annotations

import atexit
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote

from driftline.errors import RunError

#: The operating-system user that owns and runs private clusters when driftline runs as root.
SERVER_USER = "postgres"
#: Seconds any pg_ctl action may take before it is an error (generous: machines are shared).
PG_CTL_TIMEOUT_S = 120

_DEFAULTS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",  # throwaway data: never worth a disk flush
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "100",
    "shared_buffers": "32MB",
    "logging_collector": "off",
}


def find_bindir() -> Path:
    """The directory holding ``initdb`` and ``pg_ctl``; :class:`RunError` when there is none."""
    candidates: list[Path] = []
    if os.environ.get("DRIFTLINE_PG_BINDIR"):
        candidates.append(Path(os.environ["DRIFTLINE_PG_BINDIR"]))
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).parent)

    def major(path: Path) -> float:
        try:
            return float(path.parent.name)
        except ValueError:
            return -1.0

    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=major, reverse=True)
    for candidate in candidates:
        if (candidate / "initdb").is_file() and (candidate / "pg_ctl").is_file():
            return candidate
    raise RunError(
        "no PostgreSQL server binaries (initdb, pg_ctl) found: set DRIFTLINE_PG_BINDIR, put them "
        "on PATH, or install the Debian package postgresql"
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_owner(argv: list[str], owner: str | None) -> list[str]:
    """``argv`` run as ``owner`` when we are root and the owner is someone else."""
    if owner is None or os.geteuid() != 0 or owner == "root":
        return argv
    return ["runuser", "-u", owner, "--", *argv]


def _run(argv: list[str], owner: str | None, cwd: Path, what: str) -> str:
    try:
        done = subprocess.run(
            _as_owner(argv, owner),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=PG_CTL_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RunError(f"{what}: no answer within {PG_CTL_TIMEOUT_S} s") from None
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise RunError(f"{what} failed (exit {done.returncode}): {tail[0]}")
    return done.stdout


def _quote(value: Any) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def data_dir_port(data_dir: str | Path) -> int:
    """The port the server running on ``data_dir`` listens on (from its ``postmaster.pid``)."""
    pid_file = Path(data_dir) / "postmaster.pid"
    try:
        lines = pid_file.read_text().splitlines()
    except FileNotFoundError:
        raise RunError(f"{data_dir}: no server is running on this data directory") from None
    except OSError as exc:
        raise RunError(f"{pid_file}: {exc.strerror}") from None
    if len(lines) < 4 or not lines[3].strip().isdigit():
        raise RunError(f"{pid_file}: no port on line 4 (is this a PostgreSQL data directory?)")
    return int(lines[3])


def restart_data_dir(
    data_dir: str | Path, log: str | Path | None = None, bindir: Path | None = None
) -> None:
    """Restart (fast shutdown, start, wait) the server running on ``data_dir``, as its owner.

    The server keeps the options it was started with. Its output goes to ``log`` (default
    ``<data_dir>/driftline-restart.log``); without a log file pg_ctl would hand the server our
    pipes and never return.
    """
    data = Path(data_dir).resolve()
    data_dir_port(data)  # a running server, or a clear error
    owner = pwd.getpwuid(data.stat().st_uid).pw_name
    pg_ctl = str((bindir or find_bindir()) / "pg_ctl")
    log_file = Path(log) if log else data / "driftline-restart.log"
    argv = [pg_ctl, "restart", "-D", str(data), "-m", "fast", "-w"]
    argv += ["-t", str(PG_CTL_TIMEOUT_S), "-l", str(log_file)]
    _run(argv, owner, data, f"pg_ctl restart -D {data}")


class PgCluster:
    """A throwaway PostgreSQL cluster; use as a context manager or call start()/close().

    ``settings`` become lines of its ``postgresql.conf`` (e.g. ``shared_preload_libraries``).
    With ``password``, TCP connections need it (scram-sha-256) and :meth:`url` carries it.
    """

    def __init__(
        self,
        settings: Mapping[str, Any] | None = None,
        password: str | None = None,
        bindir: Path | None = None,
    ) -> None:
        self.settings = {**_DEFAULTS, **(settings or {})}
        self.password = password
        self.bindir = bindir or find_bindir()
        self.base: Path | None = None
        self.port: int | None = None
        self._owner = SERVER_USER if os.geteuid() == 0 else None
        self._running = False

    @property
    def data_dir(self) -> Path:
        """The cluster's data directory (``<base>/data``)."""
        if self.base is None:
            raise RunError("the private cluster was not created")
        return self.base / "data"

    @property
    def log_file(self) -> Path:
        """The server's log (kept until :meth:`close`)."""
        return self.data_dir.parent / "server.log"

    def url(self, database: str = "postgres") -> str:
        """A connection URL for ``database`` on this cluster (with its password, if any)."""
        if self.port is None:
            raise RunError("the private cluster is not started")
        auth = f"postgres:{quote(self.password, safe='')}" if self.password else "postgres"
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{database}"

    def _bin(self, name: str) -> str:
        return str(self.bindir / name)

    def _initdb(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="driftline-pg-"))
        os.chmod(self.base, 0o700)
        if self._owner:
            entry = pwd.getpwnam(self._owner)
            os.chown(self.base, entry.pw_uid, entry.pw_gid)
        argv = [self._bin("initdb"), "-D", str(self.data_dir), "-U", "postgres"]
        argv += ["-E", "UTF8", "--locale=C", "--no-sync", "--auth-local=trust"]
        if self.password:
            pwfile = self.base / "pwfile"
            pwfile.write_text(self.password + "\n")
            os.chmod(pwfile, 0o600)
            if self._owner:
                entry = pwd.getpwnam(self._owner)
                os.chown(pwfile, entry.pw_uid, entry.pw_gid)
            argv += ["--auth-host=scram-sha-256", f"--pwfile={pwfile}"]
        else:
            argv += ["--auth-host=trust"]
        try:
            _run(argv, self._owner, self.base, "initdb")
        finally:
            if self.password:
                (self.base / "pwfile").unlink(missing_ok=True)
        lines = [f"{k} = {_quote(v)}" for k, v in self.settings.items()]
        lines.append(f"unix_socket_directories = {_quote(self.base)}")
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("\n# driftline private cluster\n" + "\n".join(lines) + "\n")

    def start(self) -> PgCluster:
        """initdb (first time only) and start on a free port; return self."""
        if self._running:
            return self
        if self.base is None:
            self._initdb()
        last: RunError | None = None
        for _attempt in range(5):  # a free port can be taken between choosing and binding it
            self.port = free_port()
            argv = [self._bin("pg_ctl"), "start", "-D", str(self.data_dir), "-w"]
            argv += ["-t", str(PG_CTL_TIMEOUT_S), "-l", str(self.log_file)]
            argv += ["-o", f"-p {self.port}"]
            try:
                _run(argv, self._owner, self.data_dir.parent, "pg_ctl start")
            except RunError as exc:
                last = exc
                if "could not bind" in self._log_tail() or "in use" in self._log_tail():
                    continue
                raise RunError(f"{exc}; server log: {self._log_tail() or 'empty'}") from None
            self._running = True
            atexit.register(self.close)
            return self
        raise last or RunError("pg_ctl start failed")

    def _log_tail(self) -> str:
        try:
            lines = self.log_file.read_text(errors="replace").strip().splitlines()
        except OSError:
            return ""
        errors = [line for line in lines if re.search(r"(FATAL|ERROR|could not)", line)]
        return (errors or lines or [""])[-1]

    def restart(self) -> None:
        """Fast shutdown and start again on the same port and settings; waits until it accepts."""
        restart_data_dir(self.data_dir, self.log_file, self.bindir)

    def stop(self) -> None:
        """Stop the server (fast, then immediate if that does not work); the data stays."""
        if not self._running or self.base is None:
            return
        argv = [self._bin("pg_ctl"), "stop", "-D", str(self.data_dir), "-w"]
        argv += ["-t", str(PG_CTL_TIMEOUT_S)]
        try:
            _run([*argv, "-m", "fast"], self._owner, self.base, "pg_ctl stop")
        except RunError:
            _run([*argv, "-m", "immediate"], self._owner, self.base, "pg_ctl stop")
        self._running = False

    def close(self) -> None:
        """Stop the server and delete its directory."""
        try:
            self.stop()
        finally:
            if self.base is not None:
                shutil.rmtree(self.base, ignore_errors=True)
                self.base = None
            self.port = None
            atexit.unregister(self.close)

    def __enter__(self) -> PgCluster:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


__all__ = ["PgCluster", "data_dir_port", "find_bindir", "free_port", "restart_data_dir"]
