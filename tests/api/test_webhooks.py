"""Webhook endpoints over real HTTP, and the server's own dispatcher delivering to a receiver."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import standardwebhooks

from api.app import Services
from core.auth import create_key
from tests.conftest import LiveServer
from tests.handoff.conftest import make_handoff
from tests.handoff.receiver import Receiver, Reply


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    monkeypatch.setenv("BATON_WEBHOOK_ALLOW_LOOPBACK", "true")
    monkeypatch.setenv("BATON_DISPATCHER_POLL_SECONDS", "0.05")
    server = Receiver().start()
    yield server
    server.stop()


def test_register_list_rotate_delete(
    live_server: LiveServer, api: httpx.Client, receiver: Receiver
) -> None:
    created = api.post(
        "/v1/webhooks", json={"url": receiver.url, "events": ["handoff.created"], "format": "slack"}
    )
    assert created.status_code == 201
    endpoint = created.json()
    assert endpoint["secret"].startswith("whsec_")
    assert len(base64.b64decode(endpoint["secret"].removeprefix("whsec_"))) == 32
    listed = api.get("/v1/webhooks").json()
    assert [e["id"] for e in listed] == [endpoint["id"]] and "secret" not in listed[0]
    rotated = api.post(f"/v1/webhooks/{endpoint['id']}/rotate").json()
    assert rotated["secret"] != endpoint["secret"] and rotated["rotating_until"] is not None
    _row, sales_key = create_key(live_server.services.engine, name="rep", role="sales")
    with live_server.client(sales_key) as sales:
        assert sales.get("/v1/webhooks").status_code == 200
    assert api.delete(f"/v1/webhooks/{endpoint['id']}").status_code == 204
    assert api.delete(f"/v1/webhooks/{endpoint['id']}").status_code == 404
    assert api.get(f"/v1/webhooks/{endpoint['id']}/deliveries").status_code == 404


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"url": "http://169.254.169.254/latest/meta-data"}, "metadata"),
        ({"url": "http://[fe80::1]:8080/hook"}, "link-local"),
        ({"url": "http://10.0.0.5/hook"}, "private"),
        ({"url": "file:///etc/passwd"}, "http or https"),
        ({"url": "http://example.test/x", "events": ["lead.stolen"]}, "events"),
        ({"url": "http://example.test/x", "events": []}, "events"),
        ({"url": "http://example.test/x", "format": "teams"}, "format"),
        ({"events": ["handoff.created"]}, "url"),
    ],
)
def test_bad_endpoints_are_refused_clearly(
    api: httpx.Client, body: dict[str, object], needle: str
) -> None:
    response = api.post("/v1/webhooks", json=body)
    assert response.status_code == 422
    assert needle in response.json()["detail"]


def test_loopback_refused_unless_configured(
    api: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BATON_WEBHOOK_ALLOW_LOOPBACK", raising=False)
    response = api.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/hook"})
    assert response.status_code == 422 and "loopback" in response.json()["detail"]


def test_server_dispatcher_delivers_lists_and_replays(
    services: Services, receiver: Receiver
) -> None:
    server = LiveServer(services, start_dispatcher=True).start()
    try:
        with server.client() as api:
            secret = api.post("/v1/webhooks", json={"url": receiver.url}).json()["secret"]
            endpoint_id = api.get("/v1/webhooks").json()[0]["id"]
            handoff = make_handoff(services.engine, now=services.clock.now())
            [created] = receiver.wait_for(1)
            payload = standardwebhooks.Webhook(secret).verify(created.body, created.headers)
            assert (payload["type"], payload["data"]["id"]) == ("handoff.created", handoff.id)
            receiver.script.append(Reply(500))
            api.post(f"/v1/handoffs/{handoff.id}/accept")
            changed = receiver.wait_for(2)[1]
            assert changed.json()["type"] == "handoff.status_changed"
            # The receiver answers before the dispatcher records the answer: wait for the record.
            deliveries = _wait_for_attempt(api, endpoint_id)
            assert [d["event_type"] for d in deliveries] == [
                "handoff.status_changed",
                "handoff.created",
            ]
            assert deliveries[0]["status"] == "pending" and deliveries[0]["attempts"] == 1
            assert deliveries[0]["last_response_status"] == 500
            conflict = api.post(f"/v1/webhooks/deliveries/{deliveries[0]['id']}/replay")
            assert conflict.status_code == 409 and "pending" in conflict.json()["detail"]
            replay = api.post(f"/v1/webhooks/deliveries/{deliveries[1]['id']}/replay")
            assert replay.status_code == 202 and replay.json()["replay_of"] == deliveries[1]["id"]
            # The failed status change is retried about 5 s later; the replay comes at once.
            ids = [r.headers["webhook-id"] for r in receiver.wait_for(3)]
            assert ids.count(created.headers["webhook-id"]) == 2
            missing = api.post("/v1/webhooks/deliveries/dlv_missing/replay")
            assert missing.status_code == 404
    finally:
        server.stop()


def _wait_for_attempt(api: httpx.Client, endpoint_id: str) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 20
    while True:
        deliveries: list[dict[str, Any]] = api.get(f"/v1/webhooks/{endpoint_id}/deliveries").json()
        if deliveries[0]["attempts"] or time.monotonic() > deadline:
            return deliveries
        time.sleep(0.05)
