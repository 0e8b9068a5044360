"""Data access for conversations, messages, qualification events and content gaps.

Plain functions taking the caller's session: the caller owns the transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from agent.models import ChatTurn, ContentGap, Conversation, Message, QualificationEvent
from core.qualification import Qualification

TOKEN_PREFIX = "bv_"


def new_visitor_token() -> str:
    """Return a fresh random visitor token (shown once to the visitor)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """Hash a visitor token for storage and lookup."""
    return hashlib.sha256(token.encode()).hexdigest()


def find_by_token(session: Session, token: str) -> Conversation | None:
    """Return the conversation a visitor token opens, or None."""
    stmt = select(Conversation).where(Conversation.visitor_token_hash == hash_token(token))
    return session.exec(stmt).first()


def get_conversation(
    session: Session, conversation_id: str, *, lock: bool = False
) -> Conversation | None:
    """Return a conversation by id, row-locked on PostgreSQL when `lock` is set."""
    stmt = select(Conversation).where(Conversation.id == conversation_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.exec(stmt).first()


def load_qualification(conversation: Conversation) -> Qualification:
    """Return the conversation's qualification state as the typed model."""
    return Qualification.model_validate(conversation.qualification or {})


def next_seq(session: Session, conversation_id: str) -> int:
    """Return the sequence number the next message of a conversation takes."""
    stmt = select(func.max(Message.seq)).where(Message.conversation_id == conversation_id)
    last = session.exec(stmt).one()
    return 0 if last is None else int(last) + 1


def add_message(
    session: Session, conversation_id: str, *, role: str, text: str, **fields: Any
) -> Message:
    """Append a message to a conversation and flush it so it has its sequence number."""
    message = Message(
        conversation_id=conversation_id,
        seq=next_seq(session, conversation_id),
        role=role,
        text=text,
        **fields,
    )
    session.add(message)
    session.flush()
    return message


def list_messages(session: Session, conversation_id: str) -> list[Message]:
    """Return a conversation's messages in order."""
    stmt = (
        select(Message).where(Message.conversation_id == conversation_id).order_by(col(Message.seq))
    )
    return list(session.exec(stmt).all())


def recent_turns(session: Session, conversation_id: str, limit: int) -> list[ChatTurn]:
    """Return the last `limit` messages as engine-facing chat turns, oldest first."""
    stmt = (
        select(Message)
        .where(Message.conversation_id == conversation_id)
        .order_by(col(Message.seq).desc())
        .limit(limit)
    )
    rows = list(session.exec(stmt).all())
    return [
        ChatTurn(role="visitor" if m.role == "visitor" else "assistant", text=m.text)
        for m in reversed(rows)
    ]


def list_events(session: Session, conversation_id: str) -> list[QualificationEvent]:
    """Return a conversation's qualification changes in the order they happened."""
    stmt = (
        select(QualificationEvent)
        .where(QualificationEvent.conversation_id == conversation_id)
        .order_by(col(QualificationEvent.created_at), col(QualificationEvent.id))
    )
    return list(session.exec(stmt).all())


def list_gaps(session: Session, conversation_id: str) -> list[ContentGap]:
    """Return the content gaps recorded in a conversation."""
    stmt = (
        select(ContentGap)
        .where(ContentGap.conversation_id == conversation_id)
        .order_by(col(ContentGap.created_at))
    )
    return list(session.exec(stmt).all())
