"""Conversation tables and the schemas of a chat turn."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

from core.clock import utcnow
from core.qualification import Qualification


def _id() -> str:
    return uuid.uuid4().hex


class Conversation(SQLModel, table=True):
    """One visitor's chat; its qualification is the latest state."""

    __tablename__ = "conversations"

    id: str = Field(default_factory=_id, primary_key=True)
    visitor_token_hash: str = Field(max_length=64, index=True)
    site_key: str | None = Field(default=None, max_length=100)
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column("metadata", JSON))
    qualification: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    # Fields the visitor declined to share ("I'd rather not say"): never asked again.
    declined: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    # Fields already asked about, so a question is not repeated turn after turn.
    asked: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    # The field the last assistant message asked about (extraction reads the next
    # message in its light: "25k" after a budget question is a budget).
    last_asked: str | None = Field(default=None, max_length=20)
    stage: str = Field(default="unqualified", max_length=20, index=True)
    score: int = 0
    handoff_requested: bool = False
    # The handoff created for this conversation, once one exists (one per conversation).
    handoff_id: str | None = Field(default=None, max_length=64)
    # True once the visitor was told, with a known e-mail, that the team will follow up.
    handoff_confirmed: bool = False
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)


class Message(SQLModel, table=True):
    """One message in a conversation, stored before any reply is computed."""

    __tablename__ = "messages"

    id: str = Field(default_factory=_id, primary_key=True)
    conversation_id: str = Field(foreign_key="conversations.id", index=True)
    seq: int = Field(index=True)
    role: str = Field(max_length=20)  # "visitor" | "assistant"
    text: str = Field(sa_column=Column(Text, nullable=False))
    citations: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    engine: str | None = Field(default=None, max_length=40)
    prompt_version: str | None = Field(default=None, max_length=40)
    # "answered" | "gap" | "smalltalk" for assistant replies; None for visitor messages.
    outcome: str | None = Field(default=None, max_length=20)
    created_at: datetime = Field(default_factory=utcnow, index=True)


class QualificationEvent(SQLModel, table=True):
    """One change of one qualification field, with the evidence that caused it."""

    __tablename__ = "qualification_events"

    id: str = Field(default_factory=_id, primary_key=True)
    conversation_id: str = Field(foreign_key="conversations.id", index=True)
    message_id: str | None = Field(default=None, foreign_key="messages.id")
    field: str = Field(max_length=20)  # budget | authority | need | timeline | contact | stage
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    evidence: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow, index=True)


class ContentGap(SQLModel, table=True):
    """A visitor question the knowledge base could not answer."""

    __tablename__ = "content_gaps"

    id: str = Field(default_factory=_id, primary_key=True)
    conversation_id: str = Field(foreign_key="conversations.id", index=True)
    message_id: str = Field(foreign_key="messages.id")
    question: str = Field(sa_column=Column(Text, nullable=False))
    best_score: float | None = None
    created_at: datetime = Field(default_factory=utcnow, index=True)


class Citation(BaseModel):
    """A knowledge document an answer was drawn from."""

    document_id: str
    source: str
    title: str


class ChatTurn(BaseModel):
    """One past message as the engines see it."""

    role: Literal["visitor", "assistant"]
    text: str


class Facts(BaseModel):
    """What one visitor message revealed; None means the message said nothing about it."""

    qualification: Qualification
    # Fields this message set (e.g. ["budget", "contact.email"]); others are untouched.
    changed: list[str] = []
    declined: list[str] = []
    wants_human: bool = False


class EngineReply(BaseModel):
    """What an engine returns for one turn: the grounded answer and the facts."""

    answer: str
    citations: list[Citation] = []
    # "answered" (grounded in passages), "gap" (nothing relevant), "smalltalk" (no question asked).
    outcome: Literal["answered", "gap", "smalltalk"] = "answered"
    best_score: float | None = None
    facts: Facts | None = None
    engine: str = "offline"
    prompt_version: str | None = None
    # Token usage of the model call behind this reply (None for engines without a model).
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
