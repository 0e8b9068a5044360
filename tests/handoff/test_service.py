"""Recording triggers in the caller's transaction, routing, summaries and the lifecycle."""

from __future__ import annotations

import copy
import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from api.app import Services
from core.config import CoreSettings
from core.db import session_scope
from core.qualification import Qualification
from handoff import service, webhooks
from handoff.config import HandoffSettings
from handoff.exceptions import InvalidTransitionError, SummaryMismatchError
from handoff.models import OutboxEvent, WebhookDelivery
from tests.handoff.conftest import SQL_STATE, START, make_conversation, make_handoff


def _events(services: Services) -> list[OutboxEvent]:
    with Session(services.engine) as session:
        return list(session.exec(select(OutboxEvent).order_by(OutboxEvent.created_at)).all())


def test_one_handoff_per_conversation_updated_only_on_material_change(
    services: Services,
) -> None:
    first = make_handoff(services.engine)
    assert (first.status, first.reason, first.stage) == ("pending", "qualified", "sql")
    assert first.assigned_to == "Anna Weber"
    assert first.recommended_next_step.startswith("Book a demo call this week")
    # Same facts, new evidence wording: stored, but nothing a receiver needs to hear about.
    same = copy.deepcopy(SQL_STATE)
    same["budget"]["evidence"] = "we have 20-30k EUR per year"
    later = START + timedelta(minutes=5)
    again = make_handoff(
        services.engine, state=same, conversation_id=first.conversation_id, now=later
    )
    assert again.id == first.id
    assert [e.type for e in _events(services)] == ["handoff.created"]
    changed = copy.deepcopy(SQL_STATE)
    changed["budget"]["amount_max"] = 40000
    updated = make_handoff(
        services.engine, state=changed, conversation_id=first.conversation_id, now=later
    )
    events = _events(services)
    assert [e.type for e in events] == ["handoff.created", "handoff.updated"]
    assert events[1].payload["changed_fields"] == ["budget"]
    assert "40,000" in updated.summary
    assert events[1].payload["data"]["qualification"]["budget"]["amount_max"] == 40000


def test_rolled_back_transaction_leaves_no_handoff_and_no_event(services: Services) -> None:
    webhooks.create_endpoint(
        services.engine,
        url="http://127.0.0.1:9/hook",
        events=["handoff.created"],
        format="standard",
        description=None,
        created_by="t",
        settings=HandoffSettings(),
        now=START,
    )
    conversation_id = make_conversation(services.engine)
    with pytest.raises(RuntimeError), session_scope(services.engine) as session:
        service.record_trigger(
            session,
            conversation_id=conversation_id,
            reason="requested",
            qualification=Qualification(),
            transcript=[],
            cited_sources=[],
            page={},
            now=START,
        )
        raise RuntimeError("the turn failed after the trigger")
    assert service.list_handoffs(services.engine) == []
    assert _events(services) == []
    with Session(services.engine) as session:
        assert session.exec(select(WebhookDelivery)).all() == []


def test_round_robin_is_shared_and_safe_under_concurrency(
    database_url: str, tmp_path: Path
) -> None:
    services = Services(CoreSettings(data_dir=tmp_path / "d", database_url=database_url))
    go = threading.Barrier(4)

    def create() -> None:
        go.wait()
        for _ in range(6):
            make_handoff(services.engine)

    threads = [threading.Thread(target=create) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    counts = Counter(h.assigned_to for h in service.list_handoffs(services.engine, limit=100))
    assert counts == {"Anna Weber": 8, "Ben Carter": 8, "Chloe Diaz": 8}
    services.engine.dispose()


def test_routing_by_field_with_default(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = tmp_path / "routing.yaml"
    rules.write_text(
        "strategy: by_field\nfield: qualification.budget.currency\n"
        "routes:\n  - match: [eur, gbp]\n    reps: [Europe Desk]\n"
        "  - match: [USD]\n    reps: [US One, US Two]\ndefault: [Everyone Else]\n"
    )
    monkeypatch.setenv("BATON_ROUTING_FILE", str(rules))
    assigned = []
    for currency in ("EUR", "USD", "USD", "USD", None):
        state = copy.deepcopy(SQL_STATE)
        state["budget"]["currency"] = currency
        assigned.append(make_handoff(services.engine, state=state).assigned_to)
    assert assigned == ["Europe Desk", "US One", "US Two", "US One", "Everyone Else"]


def test_set_summary_checks_figures_and_emits_update(services: Services) -> None:
    handoff = make_handoff(services.engine)
    with pytest.raises(SummaryMismatchError, match="25,000"):
        service.set_summary(services.engine, handoff.id, "Dana has EUR 25,000 to spend.")
    text = "Dana Smith (Acme) has EUR 20k-30k a year, 42 days, and asked about SAP in 2 places."
    with pytest.raises(SummaryMismatchError, match="2"):
        service.set_summary(services.engine, handoff.id, text)
    text = "Dana Smith, Head of Operations at Acme, has EUR 20k-30k a year and 42 days."
    service.set_summary(services.engine, handoff.id, text)
    assert service.get_handoff(services.engine, handoff.id).summary == text
    assert [e.type for e in _events(services)] == ["handoff.created", "handoff.updated"]
    payload = service.build_summary_payload(service.get_handoff(services.engine, handoff.id))
    assert payload["qualification"]["budget"]["amount"] == 20000
    assert payload["transcript"][0] == {"role": "visitor", "text": "Do you integrate with SAP?"}


def test_lifecycle_allows_only_forward_transitions(services: Services) -> None:
    handoff = make_handoff(services.engine)
    with pytest.raises(InvalidTransitionError, match="pending"):
        service.change_status(services.engine, handoff.id, action="won", by="rep", now=START)
    accepted = service.change_status(
        services.engine, handoff.id, action="accept", by="rep", now=START
    )
    assert accepted.status == "accepted"
    with pytest.raises(InvalidTransitionError):
        service.change_status(
            services.engine, handoff.id, action="reject", by="rep", now=START, reject_reason="other"
        )
    won = service.change_status(
        services.engine, handoff.id, action="won", by="rep", now=START, amount=12000
    )
    assert (won.status, won.outcome_amount) == ("won", 12000)
    changes = [e for e in _events(services) if e.type == "handoff.status_changed"]
    assert [(e.payload["previous_status"], e.payload["data"]["status"]) for e in changes] == [
        ("pending", "accepted"),
        ("accepted", "won"),
    ]
