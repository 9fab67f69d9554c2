"""Webhook POSTs against a real local HTTP server: success, HTTP errors, refused, timeouts."""

from __future__ import annotations

import pytest

from driftline.errors import UsageError
from driftline.schema_report.webhook import check_webhook_url, post_json, safe_target
from tests.ci.http_sink import free_port, http_sink

SECRET = "T000/B000/s3cr3tT0ken"


def test_post_sends_json_and_reports_success():
    with http_sink() as sink:
        result = post_json(f"{sink.url}/services/{SECRET}", {"driftline": 1, "text": "hi"})
    assert result.ok and result.status == 200
    assert sink.bodies == [{"driftline": 1, "text": "hi"}]
    request = sink.requests[0]
    assert request["path"] == f"/services/{SECRET}"
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["headers"]["User-Agent"].startswith("driftline/")
    assert SECRET not in result.describe()


def test_http_error_status_is_a_failure_naming_the_status():
    with http_sink(status=503) as sink:
        result = post_json(f"{sink.url}/hook?token={SECRET}", {"a": 1})
    assert not result.ok
    assert result.status == 503
    assert "HTTP 503" in result.describe()
    assert "127.0.0.1" in result.describe() and SECRET not in result.describe()


def test_refused_connection_is_a_failure_with_host_and_no_secret():
    port = free_port()
    result = post_json(f"http://user:pa55word@127.0.0.1:{port}/services/{SECRET}", {"a": 1})
    assert not result.ok and result.status is None
    text = result.describe()
    assert f"127.0.0.1:{port}" in text
    assert SECRET not in text and "pa55word" not in text and "user" not in text
    assert "ConnectError" in text


def test_slow_server_times_out():
    with http_sink(delay_s=2) as sink:
        result = post_json(f"{sink.url}/slow", {"a": 1}, timeout_s=0.3)
    assert not result.ok
    assert "timed out" in (result.error or "")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://hooks.slack.com/services/T0/B0/XYZ", "https://hooks.slack.com/***"),
        ("https://example.com", "https://example.com"),
        ("https://example.com/", "https://example.com"),
        ("http://u:p@example.com:8443/x?token=abc", "http://example.com:8443/***"),
        ("http://[::1]:9000/hook", "http://[::1]:9000/***"),
        ("hooks.example.com/x", "<not a URL>"),
    ],
)
def test_safe_target_names_host_only(url, shown):
    assert safe_target(url) == shown


@pytest.mark.parametrize("url", ["ftp://example.com/x", "example.com/hook", "https:///nohost"])
def test_bad_webhook_urls_are_usage_errors(url):
    with pytest.raises(UsageError, match="not a webhook URL"):
        check_webhook_url(url)


def test_good_webhook_url_passes():
    url = "https://hooks.example.com/services/x"
    assert check_webhook_url(url) == url
