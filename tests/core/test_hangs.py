"""A server that accepts TCP and never answers: one line naming the host, within seconds."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from driftline.cli import run


@pytest.fixture
def silent_listener():
    """127.0.0.1:<port> accepts connections and never sends a byte."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(timeout=5)
    for conn in accepted:
        conn.close()
    server.close()


@pytest.mark.parametrize("scheme", ["mysql", "postgresql"])
def test_silent_server_fails_fast_with_one_line(silent_listener, scheme, tmp_path, capsys):
    url = f"{scheme}://user:secret-pw@127.0.0.1:{silent_listener}/tickets"
    started = time.monotonic()
    code = run(["schema", "snapshot", "--db", url, "-o", str(tmp_path / "b.yaml")])
    elapsed = time.monotonic() - started
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert len(err.splitlines()) == 1, err
    assert f"127.0.0.1:{silent_listener}" in err and "secret-pw" not in err
    assert elapsed < 60, elapsed  # 5 s connect timeout (+ retries), far from a hang
