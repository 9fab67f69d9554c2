"""A --db password never leaves the process it was given to.

During a stress run on PostgreSQL with a password, a sampler reads every descendant process's
command line and environment from /proc; afterwards every file the run wrote is searched
(gzip files decompressed). Controls prove the sampler and the search see a planted secret.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import psutil
import pytest

from driftline.pgcluster import PgCluster
from driftline.scratch import create_database
from driftline.secrets import redact_secrets, secret_file
from driftline.stress.refsys_proc import driftline_command, free_port
from driftline.stress.runner import StressOptions, run_stress

pytestmark = pytest.mark.slow

PASSWORD = f"Pw-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module")
def cluster():
    with PgCluster(password=PASSWORD) as pg:
        yield pg


class Sampler(threading.Thread):
    """Reads cmdline and environ of every descendant of ``root`` until stopped."""

    def __init__(self, secret: str, root: int | None = None) -> None:
        super().__init__(daemon=True)
        self.secret = secret.encode()
        self.root = root or os.getpid()
        self.stop = threading.Event()
        self.leaks: list[str] = []
        self.seen: set[str] = set()
        self.samples = 0

    def run(self) -> None:
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(0.1)

    def sample(self) -> None:
        with contextlib.suppress(psutil.NoSuchProcess):
            for child in psutil.Process(self.root).children(recursive=True):
                for part in ("cmdline", "environ"):
                    with contextlib.suppress(OSError):
                        data = Path(f"/proc/{child.pid}/{part}").read_bytes()
                        self.samples += 1
                        self.seen.add(data.split(b"\0")[0].decode(errors="replace"))
                        if self.secret in data:
                            self.leaks.append(f"pid {child.pid} {part}")

    def __enter__(self) -> Sampler:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.join(timeout=10)


def files_holding(root: Path, secret: str) -> list[str]:
    found = []
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        if secret.encode() in data:
            found.append(str(path))
    return found


def test_controls_see_a_planted_secret(tmp_path):
    planted = f"planted-{uuid.uuid4().hex}"
    env = {**os.environ, "SOME_TOKEN": planted}
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"], env=env)
    try:
        with Sampler(planted) as sampler:
            deadline = time.monotonic() + 30
            while not sampler.leaks and time.monotonic() < deadline:
                time.sleep(0.1)
        assert sampler.leaks == [f"pid {child.pid} environ"]
    finally:
        child.kill()
        child.wait()
    (tmp_path / "deep" / "dir").mkdir(parents=True)
    (tmp_path / "deep" / "dir" / "x.csv.gz").write_bytes(gzip.compress(planted.encode()))
    assert files_holding(tmp_path, planted) == [str(tmp_path / "deep" / "dir" / "x.csv.gz")]


def test_secret_file_is_private_and_gone_afterwards():
    with secret_file("postgresql://u:pw@h/db") as path:
        assert oct(path.stat().st_mode & 0o777) == "0o600"
        assert oct(path.parent.stat().st_mode & 0o777) == "0o700"
        assert path.read_text() == "postgresql://u:pw@h/db"
    assert not path.parent.exists()
    url = "postgresql://u:p%40ss%20w@h/db"
    assert redact_secrets(f"x {url} p@ss w", url) == "x postgresql://u:***@h/db ***"


def test_stress_run_on_postgresql_leaks_no_password(cluster, tmp_path):
    db_url = create_database(cluster.url(), f"dl_secret_{uuid.uuid4().hex[:8]}")
    assert PASSWORD in db_url
    options = StressOptions(
        users=4, spawn_rate=4, duration_s=5, db=db_url, out=tmp_path, seed_tickets=20
    )
    with Sampler(PASSWORD) as sampler:
        result = run_stress(options)
    assert result.reconcile.created > 0
    assert any("refsys" in s or "driftline" in s or "python" in s for s in sampler.seen)
    assert sampler.samples > 20, sampler.samples
    assert sampler.leaks == []
    assert files_holding(tmp_path, PASSWORD) == []


def test_refsys_serve_workers_get_no_password(cluster, tmp_path):
    db_url = create_database(cluster.url(), f"dl_secret_{uuid.uuid4().hex[:8]}")
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    with secret_file(db_url) as db_file:
        argv = ["refsys", "serve", "--db-file", str(db_file), "--workers", "2"]
        process = subprocess.Popen(
            driftline_command(*argv, "--port", str(port)), stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                        break
                assert process.poll() is None, (tmp_path / "serve.log").read_text()
                time.sleep(0.3)
            workers = psutil.Process(process.pid).children(recursive=True)
            assert len(workers) >= 2
            sampler = Sampler(PASSWORD, root=process.pid)
            sampler.sample()
            assert sampler.samples >= 2 * len(workers) and sampler.leaks == []
        finally:
            process.terminate()
            process.wait(timeout=30)
            log.close()
    assert files_holding(tmp_path, PASSWORD) == []
