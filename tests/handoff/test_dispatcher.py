"""The dispatcher against a real HTTP receiver on loopback: signatures, retries, 410, SSRF."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import standardwebhooks
from sqlmodel import Session, select

from api.app import Services
from core.clock import FixedClock
from core.config import CoreSettings
from core.db import session_scope
from handoff import webhooks
from handoff.config import HandoffSettings
from handoff.dispatcher import Dispatcher
from handoff.models import WebhookDelivery, WebhookEndpoint
from handoff.outbox import RETRY_SCHEDULE
from handoff.signing import generate_secret
from tests.handoff.conftest import make_handoff
from tests.handoff.receiver import Receiver, Reply


def _setup(
    settings: CoreSettings, url: str, **kw: Any
) -> tuple[Services, FixedClock, Dispatcher, str, str]:
    clock = FixedClock(datetime.now(UTC))
    services = Services(settings, clock=clock)
    created = webhooks.create_endpoint(
        services.engine,
        url=url,
        events=list(kw.pop("events", ["handoff.created"])),
        format=kw.pop("format", "standard"),
        description=None,
        created_by="test",
        settings=HandoffSettings(),
        now=clock.now(),
    )
    dispatcher = Dispatcher(services.engine, clock, HandoffSettings(), **kw)
    return services, clock, dispatcher, created.id, created.secret


def _delivery(services: Services) -> WebhookDelivery:
    with Session(services.engine) as session:
        rows = session.exec(select(WebhookDelivery)).all()
    assert len(rows) == 1
    return rows[0]


def test_delivery_is_signed_and_verifiable(settings: CoreSettings, receiver: Receiver) -> None:
    services, _clock, dispatcher, _id, secret = _setup(settings, receiver.url)
    handoff = make_handoff(services.engine, now=_clock.now())
    assert dispatcher.deliver_due() == 1
    [request] = receiver.wait_for(1)
    payload = standardwebhooks.Webhook(secret).verify(request.body, request.headers)
    assert payload["type"] == "handoff.created"
    assert payload["data"]["id"] == handoff.id
    assert payload["data"]["qualification"]["budget"]["amount"] == 20000
    assert request.headers["webhook-id"].startswith("msg_")
    tampered = request.body.replace(b"20000", b"20001", 1)
    assert tampered != request.body
    with pytest.raises(standardwebhooks.WebhookVerificationError):
        standardwebhooks.Webhook(secret).verify(tampered, request.headers)
    assert _delivery(services).status == "succeeded"
    dispatcher.stop()


def test_retries_after_500_with_same_webhook_id(settings: CoreSettings, receiver: Receiver) -> None:
    services, clock, dispatcher, _id, _secret = _setup(settings, receiver.url)
    make_handoff(services.engine, now=clock.now())
    receiver.script.extend([Reply(500), Reply(502)])
    assert dispatcher.deliver_due() == 1
    assert dispatcher.deliver_due() == 0  # the retry waits about 5 s
    first = _delivery(services)
    assert (first.status, first.attempts, first.last_response_status) == ("pending", 1, 500)
    clock.advance(seconds=RETRY_SCHEDULE[1] * 1.2)
    assert dispatcher.deliver_due() == 1
    assert _delivery(services).attempts == 2
    assert dispatcher.deliver_due() == 0  # the next waits about 5 min
    clock.advance(seconds=RETRY_SCHEDULE[2] * 1.2)
    assert dispatcher.deliver_due() == 1
    requests = receiver.wait_for(3)
    assert len({r.headers["webhook-id"] for r in requests}) == 1
    final = _delivery(services)
    assert (final.status, final.attempts) == ("succeeded", 3)
    dispatcher.stop()


def test_retry_after_is_honoured(settings: CoreSettings, receiver: Receiver) -> None:
    services, clock, dispatcher, _id, _secret = _setup(settings, receiver.url)
    make_handoff(services.engine, now=clock.now())
    receiver.script.append(Reply(429, headers={"Retry-After": "120"}))
    dispatcher.deliver_due()
    clock.advance(seconds=RETRY_SCHEDULE[1] * 1.2)  # past the schedule, not past Retry-After
    assert dispatcher.deliver_due() == 0
    clock.advance(seconds=120)
    assert dispatcher.deliver_due() == 1
    assert _delivery(services).status == "succeeded"
    dispatcher.stop()


def test_410_disables_the_endpoint(settings: CoreSettings, receiver: Receiver) -> None:
    services, clock, dispatcher, endpoint_id, _secret = _setup(settings, receiver.url)
    make_handoff(services.engine, now=clock.now())
    receiver.script.append(Reply(410))
    dispatcher.deliver_due()
    with Session(services.engine) as session:
        endpoint = session.get(WebhookEndpoint, endpoint_id)
        assert endpoint is not None and endpoint.status == "disabled"
    assert _delivery(services).status == "failed"
    make_handoff(services.engine, now=clock.now())  # a disabled endpoint gets nothing new
    assert dispatcher.deliver_due() == 0
    assert len(receiver.requests) == 1
    dispatcher.stop()


def test_failed_after_last_attempt_then_replayed(
    settings: CoreSettings, receiver: Receiver
) -> None:
    services, clock, dispatcher, endpoint_id, _secret = _setup(settings, receiver.url)
    make_handoff(services.engine, now=clock.now())
    receiver.script.extend(Reply(503) for _ in RETRY_SCHEDULE)
    for delay in RETRY_SCHEDULE[1:]:
        assert dispatcher.deliver_due() == 1
        clock.advance(seconds=delay * 1.2)
    assert dispatcher.deliver_due() == 1
    failed = _delivery(services)
    assert (failed.status, failed.attempts) == ("failed", len(RETRY_SCHEDULE))
    listed = webhooks.list_deliveries(services.engine, endpoint_id, status="failed")
    assert [d.id for d in listed] == [failed.id]
    replay = webhooks.replay_delivery(services.engine, failed.id, now=clock.now())
    assert dispatcher.deliver_due() == 1
    requests = receiver.wait_for(len(RETRY_SCHEDULE) + 1)
    assert requests[-1].headers["webhook-id"] == replay.event_id == failed.event_id
    statuses = {d.id: d.status for d in webhooks.list_deliveries(services.engine, endpoint_id)}
    assert statuses == {failed.id: "failed", replay.id: "succeeded"}
    dispatcher.stop()


def test_receiver_down_then_back_loses_nothing(settings: CoreSettings) -> None:
    down = Receiver().start()
    port, url = down.port, down.url
    down.stop()  # nothing listens on the port now
    services, clock, dispatcher, endpoint_id, _secret = _setup(settings, url)
    ids = [make_handoff(services.engine, now=clock.now()).id for _ in range(3)]
    assert dispatcher.deliver_due() == 3
    errors = [d.last_error or "" for d in webhooks.list_deliveries(services.engine, endpoint_id)]
    assert all("ConnectError" in e for e in errors)
    back = Receiver(port=port).start()
    try:
        clock.advance(seconds=RETRY_SCHEDULE[1] * 1.2)
        assert dispatcher.deliver_due() == 3
        got = sorted(r.json()["data"]["id"] for r in back.wait_for(3))
        assert got == sorted(ids)
    finally:
        back.stop()
        dispatcher.stop()


def test_rotation_signs_with_both_secrets(settings: CoreSettings, receiver: Receiver) -> None:
    services, clock, dispatcher, endpoint_id, old = _setup(settings, receiver.url)
    new = webhooks.rotate_secret(services.engine, endpoint_id, now=clock.now(), window_hours=24)
    make_handoff(services.engine, now=clock.now())
    dispatcher.deliver_due()
    [request] = receiver.wait_for(1)
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    standardwebhooks.Webhook(old).verify(request.body, request.headers)
    standardwebhooks.Webhook(new.secret).verify(request.body, request.headers)
    clock.advance(hours=25)
    make_handoff(services.engine, now=clock.now())
    dispatcher.deliver_due()
    second = receiver.wait_for(2)[1]
    assert len(second.headers["webhook-signature"].split(" ")) == 1
    dispatcher.stop()


def test_slack_format(settings: CoreSettings, receiver: Receiver) -> None:
    services, clock, dispatcher, _id, _secret = _setup(settings, receiver.url, format="slack")
    handoff = make_handoff(services.engine, now=clock.now())
    dispatcher.deliver_due()
    body = receiver.wait_for(1)[0].json()
    assert "Dana Smith" in body["text"] and handoff.summary in body["text"]
    button = body["blocks"][-1]["elements"][0]
    assert button["url"].endswith(f"/console#/handoffs/{handoff.id}")
    dispatcher.stop()


def test_redirect_is_not_followed(settings: CoreSettings, receiver: Receiver) -> None:
    services, clock, dispatcher, _id, _secret = _setup(settings, receiver.url)
    make_handoff(services.engine, now=clock.now())
    receiver.script.append(Reply(302, headers={"Location": "http://169.254.169.254/latest"}))
    dispatcher.deliver_due()
    assert len(receiver.wait_for(1)) == 1
    delivery = _delivery(services)
    assert delivery.status == "pending" and "not followed" in (delivery.last_error or "")
    dispatcher.stop()


def test_dns_rebinding_is_refused_at_send_time(settings: CoreSettings) -> None:
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200))
    answers = iter([["93.184.215.14"], ["169.254.169.254"]])
    clock = FixedClock(datetime.now(UTC))
    services = Services(settings, clock=clock)
    # A host that was public when registered and has since been re-pointed at the
    # metadata service: the dispatcher resolves again and connects only to what it checked.
    endpoint = WebhookEndpoint(
        url="https://hooks.example.test/in", events=["handoff.created"], secret=generate_secret()
    )
    with session_scope(services.engine) as session:
        session.add(endpoint)
    dispatcher = Dispatcher(
        services.engine,
        clock,
        HandoffSettings(),
        transport=transport,
        resolver=lambda host, port: next(answers),
    )
    make_handoff(services.engine, now=clock.now())
    dispatcher.deliver_due()
    assert len(sent) == 1
    assert sent[0].url.host == "93.184.215.14" and sent[0].headers["host"] == "hooks.example.test"
    assert sent[0].extensions["sni_hostname"] == "hooks.example.test"
    make_handoff(services.engine, now=clock.now())
    dispatcher.deliver_due()
    assert len(sent) == 1
    pending = webhooks.list_deliveries(services.engine, endpoint.id, status="pending")
    assert "169.254.169.254" in (pending[0].last_error or "")
    dispatcher.stop()


def test_two_dispatchers_never_send_the_same_delivery(
    database_url: str, tmp_path: Any, receiver: Receiver
) -> None:
    settings = CoreSettings(data_dir=tmp_path / "d", database_url=database_url)
    services, clock, first, _id, _secret = _setup(settings, receiver.url)
    second = Dispatcher(services.engine, clock, HandoffSettings())
    ids = {make_handoff(services.engine, now=clock.now()).id for _ in range(30)}
    go = threading.Barrier(4)

    def run(dispatcher: Dispatcher) -> None:
        go.wait()
        while dispatcher.deliver_due(limit=2):
            pass

    threads = [threading.Thread(target=run, args=(d,)) for d in (first, second, first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    requests = receiver.wait_for(30)
    assert sorted(r.json()["data"]["id"] for r in requests) == sorted(ids)
    assert len({r.headers["webhook-id"] for r in requests}) == 30
    assert receiver.overlaps == []
    first.stop()
    second.stop()
    services.engine.dispose()  # close pooled connections before the database is dropped
