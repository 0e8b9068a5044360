"""Fixtures for the handoff domain: a webhook receiver, conversations and handoffs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from agent.models import Conversation
from core.db import session_scope
from core.qualification import Qualification
from handoff import service
from handoff.models import CitedSource, Handoff, TranscriptEntry
from tests.handoff.receiver import Receiver

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

SQL_STATE: dict[str, Any] = {
    "budget": {
        "status": "allocated",
        "amount": 20000,
        "amount_max": 30000,
        "currency": "EUR",
        "period": "annual",
        "evidence": "20-30k EUR a year",
    },
    "authority": {
        "status": "decision_maker",
        "role": "Head of Operations",
        "evidence": "I sign off on tools",
    },
    "need": {"status": "identified", "summary": "automate invoice approvals"},
    "timeline": {"status": "stated", "within_days": 42, "evidence": "live in six weeks"},
    "contact": {"name": "Dana Smith", "company": "Acme", "email": "dana@acme.test"},
    "score": 85,
    "stage": "sql",
}


@pytest.fixture(autouse=True)
def _allow_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BATON_WEBHOOK_ALLOW_LOOPBACK", "true")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on a loopback port."""
    server = Receiver().start()
    try:
        yield server
    finally:
        server.stop()


def make_conversation(engine: Engine, *, created_at: datetime = START, stage: str = "sql") -> str:
    """Insert a conversation row and return its id."""
    row = Conversation(
        visitor_token_hash="0" * 64, stage=stage, created_at=created_at, updated_at=created_at
    )
    with session_scope(engine) as session:
        session.add(row)
    return row.id


def make_handoff(
    engine: Engine,
    *,
    state: dict[str, Any] | None = None,
    reason: str = "qualified",
    now: datetime = START,
    conversation_id: str | None = None,
) -> Handoff:
    """Record a trigger for a new (or given) conversation and commit it."""
    conversation_id = conversation_id or make_conversation(engine, created_at=now)
    with session_scope(engine) as session:
        return service.record_trigger(
            session,
            conversation_id=conversation_id,
            reason=reason,  # type: ignore[arg-type]
            qualification=Qualification.model_validate(state or SQL_STATE),
            transcript=[
                TranscriptEntry(role="visitor", text="Do you integrate with SAP?", at=now),
                TranscriptEntry(role="assistant", text="Yes. The team will follow up.", at=now),
            ],
            cited_sources=[
                CitedSource(document_id="doc1", source="integrations.md", title="Integrations")
            ],
            page={"url": "https://acme.test/pricing", "utm": {"source": "ads"}},
            now=now,
        )
