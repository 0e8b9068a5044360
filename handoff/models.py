"""Handoff tables (handoffs, routing, webhook endpoints, outbox, deliveries) and schemas."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import JSON, Column, DateTime, Index, Text, TypeDecorator
from sqlmodel import Field, SQLModel

from core.clock import utcnow
from core.qualification import Contact, Qualification

HandoffStatus = Literal["pending", "accepted", "rejected", "won", "lost"]
HandoffReason = Literal["qualified", "requested"]
RejectReason = Literal[
    "not_a_fit",
    "no_budget",
    "bad_timing",
    "no_authority",
    "bad_contact",
    "duplicate",
    "competitor",
    "other",
]
EventType = Literal["handoff.created", "handoff.updated", "handoff.status_changed"]
EVENT_TYPES: tuple[EventType, ...] = (
    "handoff.created",
    "handoff.updated",
    "handoff.status_changed",
)
WebhookFormat = Literal["standard", "slack"]
DeliveryStatus = Literal["pending", "succeeded", "failed"]


def new_id(prefix: str = "") -> str:
    """Return a fresh random identifier with an optional type prefix."""
    return prefix + uuid.uuid4().hex


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _ts(*, nullable: bool = False, index: bool = False) -> Any:
    return Column(UTCDateTime(), nullable=nullable, index=index)


class TranscriptEntry(BaseModel):
    """One message of the conversation as the rep reads it."""

    role: str
    text: str
    at: datetime


class CitedSource(BaseModel):
    """A knowledge document the agent cited in the conversation."""

    document_id: str
    source: str
    title: str


class Handoff(SQLModel, table=True):
    """A lead handed to sales: one per conversation, updated as new facts arrive."""

    __tablename__ = "handoffs"
    __table_args__ = (Index("ix_handoffs_created_id", "created_at", "id"),)

    id: str = Field(default_factory=lambda: new_id("ho_"), primary_key=True, max_length=40)
    conversation_id: str = Field(foreign_key="conversations.id", unique=True, max_length=40)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(index=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    reason: str = Field(max_length=20, index=True)
    status: str = Field(default="pending", max_length=20, index=True)
    stage: str = Field(default="unqualified", max_length=20, index=True)
    summary: str = Field(default="", sa_column=Column(Text, nullable=False))
    summary_source: str = Field(default="template", max_length=20)  # template | llm
    qualification: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    transcript: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    cited_sources: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    page: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    recommended_next_step: str = Field(default="", sa_column=Column(Text, nullable=False))
    assigned_to: str | None = Field(default=None, max_length=200)
    rejection_reason: str | None = Field(default=None, max_length=20)
    rejection_note: str | None = Field(default=None, sa_column=Column(Text))
    outcome_amount: float | None = None
    decided_by: str | None = Field(default=None, max_length=200)
    decided_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    closed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class RoutingCounter(SQLModel, table=True):
    """The next round-robin position of one group of reps, shared by every process."""

    __tablename__ = "routing_counters"

    name: str = Field(primary_key=True, max_length=200)
    value: int = 0


class WebhookEndpoint(SQLModel, table=True):
    """A receiver of handoff events; its secret signs every delivery."""

    __tablename__ = "webhook_endpoints"

    id: str = Field(default_factory=lambda: new_id("ep_"), primary_key=True, max_length=40)
    url: str = Field(sa_column=Column(Text, nullable=False))
    events: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    format: str = Field(default="standard", max_length=20)
    description: str | None = Field(default=None, max_length=500)
    secret: str = Field(max_length=200)
    previous_secret: str | None = Field(default=None, max_length=200)
    previous_secret_expires_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    status: str = Field(default="active", max_length=20)  # active | disabled
    disabled_reason: str | None = Field(default=None, sa_column=Column(Text))
    created_by: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class OutboxEvent(SQLModel, table=True):
    """An event written in the business transaction; its id is the `webhook-id` on every try."""

    __tablename__ = "outbox_events"

    id: str = Field(default_factory=lambda: new_id("msg_"), primary_key=True, max_length=40)
    type: str = Field(max_length=40)
    handoff_id: str = Field(foreign_key="handoffs.id", index=True, max_length=40)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(index=True))


class WebhookDelivery(SQLModel, table=True):
    """One event on its way to one endpoint, with its retry state and its claim."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),)

    id: str = Field(default_factory=lambda: new_id("dlv_"), primary_key=True, max_length=40)
    event_id: str = Field(foreign_key="outbox_events.id", index=True, max_length=40)
    endpoint_id: str = Field(foreign_key="webhook_endpoints.id", index=True, max_length=40)
    status: str = Field(default="pending", max_length=20)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    claim_token: str | None = Field(default=None, max_length=40, index=True)
    claimed_until: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    last_attempt_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    last_response_status: int | None = None
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    delivered_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    replay_of: str | None = Field(default=None, max_length=40)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(index=True))


class Rejection(BaseModel):
    """Why sales turned a handoff down."""

    reason: RejectReason
    note: str = ""


class Outcome(BaseModel):
    """How an accepted handoff ended."""

    result: Literal["won", "lost"]
    amount: float | None = None


class HandoffPublic(BaseModel):
    """A handoff as the API, the CLI and webhooks show it."""

    id: str
    conversation_id: str
    created_at: datetime
    updated_at: datetime
    reason: HandoffReason
    status: HandoffStatus
    summary: str
    qualification: Qualification
    contact: Contact
    transcript: list[TranscriptEntry]
    cited_sources: list[CitedSource]
    page: dict[str, Any]
    recommended_next_step: str
    assigned_to: str | None
    rejection: Rejection | None = None
    outcome: Outcome | None = None

    @classmethod
    def from_row(cls, row: Handoff) -> HandoffPublic:
        """Build the public view of a stored handoff."""
        qualification = Qualification.model_validate(row.qualification)
        rejection = None
        if row.rejection_reason:
            rejection = Rejection.model_validate(
                {"reason": row.rejection_reason, "note": row.rejection_note or ""}
            )
        outcome = None
        if row.status in ("won", "lost"):
            outcome = Outcome.model_validate({"result": row.status, "amount": row.outcome_amount})
        return cls.model_validate(
            {
                "id": row.id,
                "conversation_id": row.conversation_id,
                "created_at": row.created_at,
                "updated_at": row.updated_at,
                "reason": row.reason,
                "status": row.status,
                "summary": row.summary,
                "qualification": qualification,
                "contact": qualification.contact,
                "transcript": row.transcript,
                "cited_sources": row.cited_sources,
                "page": row.page,
                "recommended_next_step": row.recommended_next_step,
                "assigned_to": row.assigned_to,
                "rejection": rejection,
                "outcome": outcome,
            }
        )
