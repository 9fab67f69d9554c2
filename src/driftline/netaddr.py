"""Addresses a user gives (``--host``/``--port``, ``--target URL``), checked before anything
starts: a name that does not resolve, a port out of range or already taken is one line naming
the option and the address, exit 2, not a failure half-way through a run."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from driftline.errors import UsageError


def resolve(host: str, port: int, option: str = "--host") -> tuple:
    """The first ``getaddrinfo`` entry for ``host``:``port`` (TCP)."""
    try:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError) as exc:
        raise UsageError(f"{option} {host}: not an address here ({exc})") from None


def check_listen(host: str, port: int, option: str = "--host") -> None:
    """Bind ``host``:``port`` once and let go: a bad host or a port in use raises UsageError."""
    family, kind, proto, _name, address = resolve(host, port, option)
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            why = exc.strerror or exc
            raise UsageError(f"--port {port}: cannot listen on {host}:{port}: {why}") from None


def check_http_url(url: str, option: str) -> None:
    """An http(s) URL whose host resolves and whose port is a port; nothing is connected."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{option} must be an http(s) URL with a host, not {url!r}")
    try:
        port = parts.port
        if port is None:
            port = 443 if parts.scheme == "https" else 80
    except ValueError:
        raise UsageError(f"{option} {url}: the port is not in 1..65535") from None
    if port < 1:
        raise UsageError(f"{option} {url}: the port is not in 1..65535")
    resolve(parts.hostname, port, f"{option} {url}: host")
