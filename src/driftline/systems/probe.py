"""The health probe a stress run starts with: is the system there, and are we let in?

A redirect (to a login page), 401/403, or an HTML page with a password field where the adapter
expects its health answer is one line naming the host and the status (exit 2), before any load.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx

from driftline.errors import ConnectionFailed
from driftline.systems.credentials import Credentials
from driftline.systems.model import PASSWORD_ENV, USER_ENV, System

_LOGIN_PAGE = re.compile(rb"<input[^>]+type=[\"']?password|<form[^>]+login", re.IGNORECASE)


def host_of(url: str) -> str:
    """``scheme://host:port`` of ``url``, without any user, password or path."""
    parts = urlsplit(url)
    host = parts.hostname or url
    netloc = f"{host}:{parts.port}" if parts.port else host
    return f"{parts.scheme}://{netloc}" if parts.scheme else netloc


def _login_hint(system: System) -> str:
    if system.auth.kind == "basic":
        return f"check {USER_ENV} and {PASSWORD_ENV}"
    if system.auth.kind == "token":
        return f"check {system.auth.token_env}"
    return f"the adapter {system.name} declares no auth (auth.kind)"


def probe(system: System, base_url: str, creds: Credentials, timeout_s: float = 10.0) -> None:
    """``GET <base_url><health path>`` must answer 200 with something other than a login page."""
    url = base_url.rstrip("/") + system.health_path
    host = host_of(base_url)
    try:
        response = httpx.get(
            url, headers=creds.headers(system.auth), timeout=timeout_s, follow_redirects=False
        )
    except httpx.HTTPError as exc:
        raise ConnectionFailed(f"target {host} is not reachable: {type(exc).__name__}") from None
    status = response.status_code
    where = f"target {host} answered HTTP {status} on {system.health_path}"
    if 300 <= status < 400:
        target = urlsplit(response.headers.get("location", "")).path or "elsewhere"
        raise ConnectionFailed(
            f"{where}: a redirect to {target} (a login page?); {_login_hint(system)}"
        )
    if status in (401, 403):
        raise ConnectionFailed(f"{where}: not let in; {_login_hint(system)}")
    if status != 200:
        raise ConnectionFailed(f"{where} (the health probe wants 200)")
    kind = response.headers.get("content-type", "")
    if "html" in kind and _LOGIN_PAGE.search(response.content[:65536]):
        raise ConnectionFailed(f"{where} with an HTML login page; {_login_hint(system)}")
