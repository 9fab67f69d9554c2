"""The HTTP API: the journey, bad input as clear 4xx, OpenAPI and health."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from reference_system.app import create_app
from tests.refsys.conftest import NEW_TICKET


@pytest.fixture
def client(sqlite_engine, config):
    url = sqlite_engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(url, config)) as client:
        yield client


def _wait(client, ticket_id, status, timeout=60.0):  # polls; generous for a loaded machine
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ticket = client.get(f"/tickets/{ticket_id}").json()
        if ticket["status_code"] == status:
            return ticket
        time.sleep(0.05)
    raise AssertionError(f"ticket {ticket_id} never reached {status}")


def test_full_journey_over_http(client):
    created = client.post("/tickets", json=NEW_TICKET)
    assert created.status_code == 201
    ticket = _wait(client, created.json()["id"], "ASSIGNED")
    tid, agent = ticket["id"], ticket["assignee_id"]
    assert ticket["created_at"].endswith("Z") and ticket["dispatched_at"] >= ticket["created_at"]
    body = {"agent_id": agent, "note": "called", "next_action": "redeliver"}
    assert client.post(f"/tickets/{tid}/actions", json=body).json()["status_code"] == "IN_PROGRESS"
    resolved = client.post(f"/tickets/{tid}/resolve", json={"agent_id": agent, "resolution": "ok"})
    assert resolved.json()["status_code"] == "RESOLVED"
    closed = client.post(f"/tickets/{tid}/confirm", json={"customer_id": 7})
    assert closed.json()["status_code"] == "CLOSED"
    rated = client.post(
        f"/tickets/{tid}/rate", json={"customer_id": 7, "rating": 5, "reason": "fast"}
    )
    assert rated.status_code == 200
    steps = [r["status_code"] for r in client.get(f"/tickets/{tid}/timeline").json()]
    assert steps == ["NEW", "ASSIGNED", "IN_PROGRESS", "RESOLVED", "CLOSED"]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "message"),
    [
        ("post", "/tickets", {**NEW_TICKET, "priority": "P7"}, 422, "priority: Input should be"),
        ("post", "/tickets", {**NEW_TICKET, "extra": 1}, 422, "extra: Extra inputs"),
        ("post", "/tickets", {k: v for k, v in NEW_TICKET.items() if k != "title"}, 422, "title"),
        ("get", "/tickets/999999", None, 404, "does not exist"),
        ("get", "/tickets/abc", None, 422, "ticket_id"),
        ("get", "/tickets/-1", None, 422, "ticket_id"),
        ("post", "/tickets/1/rate", {"customer_id": 7, "rating": 9, "reason": "x"}, 422, "rating"),
        ("post", "/tickets/1/confirm", {"customer_id": 7}, 409, "only resolved tickets close"),
        ("post", "/tickets/1/actions", {"agent_id": 99999, "note": "x"}, 409, "agent 99999"),
    ],
)
def test_bad_input_is_a_clear_4xx(client, method, path, body, status, message):
    client.post("/tickets", json=NEW_TICKET)
    response = getattr(client, method)(path, **({"json": body} if body is not None else {}))
    assert response.status_code == status
    assert message in response.json()["detail"]


def test_malformed_json_is_422_not_500(client):
    response = client.post(
        "/tickets", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422


def test_openapi_and_health(client):
    spec = client.get("/openapi.json").json()
    assert "/tickets/{ticket_id}/reopen" in spec["paths"]
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["database"] == "ok"
    assert health["dispatcher"]["enabled"] and "lag_s" in health["sweeper"]
