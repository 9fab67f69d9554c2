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


class StallProxy:
    """Forwards TCP to a real server until the client sends a chunk holding ``marker``; from
    then on it swallows whatever the client sends. The server never sees the query, so no
    server-side timeout can end it, and the client's kernel sees a live peer."""

    def __init__(self, upstream_port: int, marker: bytes) -> None:
        self.upstream_port, self.marker = upstream_port, marker
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.stalled = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            self.sockets += [client, upstream]
            for src, dst, up in ((client, upstream, True), (upstream, client, False)):
                threading.Thread(target=self._pump, args=(src, dst, up), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, from_client: bool) -> None:
        while True:
            try:
                data = src.recv(65536)
                if not data:
                    return
                if from_client and (self.stalled.is_set() or self.marker in data):
                    self.stalled.set()
                    continue
                dst.sendall(data)
            except OSError:
                return

    def close(self) -> None:
        self.server.close()
        for sock in self.sockets:
            sock.close()


@pytest.mark.slow
@pytest.mark.parametrize(
    "dialect",
    [
        pytest.param("postgresql", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
    ],
)
def test_a_server_that_stops_answering_mid_query_ends_in_bounded_time(
    dialect, request, tmp_path, capsys
):
    """No server-side timeout can end a query the server never received: the client's own
    deadline (statement timeout + grace) does, with one line naming the host."""
    from driftline import readguard
    from driftline.db import make_engine, parse_url

    url = request.getfixturevalue("pg_url" if dialect == "postgresql" else "mysql_url")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE stall_me (id INTEGER PRIMARY KEY, state VARCHAR(9))")
    engine.dispose()
    queries = tmp_path / "q.yaml"
    queries.write_text(
        "driftline: 1\nkind: queries\nqueries:\n  - name: q\n"
        "    sql: SELECT id FROM stall_me WHERE state = :s\n    params:\n      - {s: NEW}\n"
    )
    capture = ["-q", str(queries), "--statement-timeout-ms", "1000"]
    assert run(["plan", "capture", "--db", url, *capture, "-o", str(tmp_path / "p.yaml")]) == 0
    capsys.readouterr()

    parsed = parse_url(url)
    proxy = StallProxy(parsed.port, b"stall_me")
    if dialect == "postgresql":
        parsed = parsed.set(password="stall-pw")  # trusted locally: ignored, never printed
    proxied = parsed.set(port=proxy.port).render_as_string(hide_password=False)
    started = time.monotonic()
    try:
        code = run(["plan", "check", "--db", proxied, "-b", str(tmp_path / "p.yaml"), *capture])
    finally:
        elapsed = time.monotonic() - started
        proxy.close()
    err = capsys.readouterr().err.strip()
    assert proxy.stalled.is_set()
    assert code == 2, err
    assert len(err.splitlines()) == 1 and "internal error" not in err, err
    assert f"127.0.0.1:{proxy.port}" in err and "no answer within 11 s" in err, err
    assert "stall-pw" not in err
    assert elapsed >= 1 + readguard.GRACE_S - 1  # the deadline, not an error, ended it
    assert elapsed < 90, elapsed
