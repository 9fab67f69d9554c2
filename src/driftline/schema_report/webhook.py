"""POST a report's JSON summary to a webhook (Slack-compatible ``text`` field included).

A webhook is a side channel: a failed send is reported, never raised, so the report's exit code
stays the one its findings mean. Webhook URLs carry their secret in the path or query
(``https://hooks.slack.com/services/<team>/<bot>/<token>``), so only scheme, host and port are
ever printed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from driftline import __version__
from driftline.db import redact
from driftline.errors import UsageError

DEFAULT_TIMEOUT_S = 10.0


def check_webhook_url(url: str) -> str:
    """Return ``url`` if it is an absolute http(s) URL with a host, else raise UsageError."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"not a webhook URL: {safe_target(url)} (expected http:// or https:// with a host)"
        )
    return url


def safe_target(url: str) -> str:
    """``https://hooks.example.com:8443/***``: the host is named, path, query and user are not."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return "<unparsable URL>"
    if not parts.scheme or not host:
        return "<not a URL>"
    netloc = f"[{host}]" if ":" in host else host
    if port:
        netloc += f":{port}"
    secret = "/***" if (parts.path not in ("", "/") or parts.query or parts.username) else ""
    return f"{parts.scheme}://{netloc}{secret}"


@dataclass(frozen=True)
class SendResult:
    """What became of one POST: ``ok`` with the status, or why it failed (no secrets)."""

    ok: bool
    target: str
    status: int | None = None
    error: str | None = None

    def describe(self) -> str:
        if self.ok:
            return f"webhook POST to {self.target}: HTTP {self.status}"
        return f"webhook POST to {self.target} failed: {self.error}"


def post_json(
    url: str,
    payload: dict[str, Any],
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    transport: httpx.BaseTransport | None = None,
) -> SendResult:
    """POST ``payload`` as JSON; any 2xx is success. Never raises for network or HTTP errors."""
    target = safe_target(url)
    body = json.dumps(payload, sort_keys=False, default=str).encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"driftline/{__version__}",
    }
    try:
        with httpx.Client(timeout=timeout_s, transport=transport) as client:
            response = client.post(url, content=body, headers=headers)
    except httpx.TimeoutException:
        return SendResult(False, target, error=f"timed out after {timeout_s:g} s")
    except httpx.HTTPError as exc:
        return SendResult(False, target, error=_reason(exc, url))
    if not response.is_success:
        return SendResult(
            False,
            target,
            response.status_code,
            f"HTTP {response.status_code} {response.reason_phrase}",
        )
    return SendResult(True, target, response.status_code)


def _reason(exc: httpx.HTTPError, url: str) -> str:
    """The error's own words, with every secret-bearing part of the URL masked."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    parts = urlsplit(url)
    for secret in (url, parts.path, parts.query, parts.password, parts.username):
        if secret and len(secret) > 1:
            text = text.replace(secret, "***")
    name = type(exc).__name__
    return f"{name}: {redact(text)}" if text else name
