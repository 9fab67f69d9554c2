"""Credentials come from the environment only; a login page or 401 is exit 2 naming the host."""

from __future__ import annotations

import http.server
import os
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from driftline.errors import ConnectionFailed, UsageError
from driftline.systems import credentials, load_system
from driftline.systems.probe import probe

RT = load_system("rt")


def test_basic_auth_needs_both_variables():
    with pytest.raises(UsageError, match="DRIFTLINE_TARGET_PASSWORD"):
        credentials.from_env(RT.auth, {"DRIFTLINE_TARGET_USER": "u"}, system="rt")
    creds = credentials.from_env(
        RT.auth, {"DRIFTLINE_TARGET_USER": "u", "DRIFTLINE_TARGET_PASSWORD": "s3cr3t"}
    )
    assert "s3cr3t" not in repr(creds)
    assert creds.headers(RT.auth)["Authorization"].startswith("Basic ")


def test_children_never_inherit_credentials():
    env = {"DRIFTLINE_TARGET_USER": "u", "DRIFTLINE_TARGET_PASSWORD": "p", "PATH": "/bin"}
    assert credentials.child_env(RT.auth, env) == {"PATH": "/bin"}


def test_credentials_file_is_private_and_removed():
    creds = credentials.Credentials("u", "s3cr3t")
    with credentials.credentials_file(creds) as path:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
        assert credentials.read_file(path) == creds
    assert not path.exists() and not path.parent.exists()


class _Handler(http.server.BaseHTTPRequestHandler):
    answer: tuple[int, dict[str, str], bytes] = (200, {}, b"{}")

    def do_GET(self):
        status, headers, body = self.server.answer  # type: ignore[attr-defined]
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextmanager
def serving(status: int, headers: dict[str, str], body: bytes) -> Iterator[str]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Handler)
    server.answer = (status, headers, body)  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


LOGIN = b'<html><form action="/login"><input type="password" name="pass"></form></html>'


@pytest.mark.parametrize(
    ("status", "headers", "body", "words"),
    [
        (302, {"Location": "/NoAuth/Login.html"}, b"", "HTTP 302 on /REST/2.0/rt: a redirect"),
        (401, {}, b"", "HTTP 401 on /REST/2.0/rt: not let in"),
        (403, {}, b"", "HTTP 403"),
        (200, {"Content-Type": "text/html"}, LOGIN, "HTML login page"),
        (500, {}, b"", "HTTP 500"),
    ],
)
def test_login_pages_and_refusals_name_host_and_status(status, headers, body, words):
    creds = credentials.Credentials("u", "s3cr3t-pw")
    with serving(status, headers, body) as url, pytest.raises(ConnectionFailed) as err:
        probe(RT, url, creds)
    assert f"target {url} answered" in err.value.message and words in err.value.message
    assert "DRIFTLINE_TARGET_USER" in err.value.message or status == 500
    assert "s3cr3t-pw" not in err.value.message


def test_a_healthy_answer_passes():
    with serving(200, {"Content-Type": "application/json"}, b'{"Version": "5"}') as url:
        probe(RT, url, credentials.Credentials("u", "p"))


def test_nobody_listening_names_the_host():
    with pytest.raises(ConnectionFailed, match=r"target http://127\.0\.0\.1:9 is not reachable"):
        probe(RT, "http://127.0.0.1:9", credentials.Credentials("u", "p"), timeout_s=3)
