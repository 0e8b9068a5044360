"""Conversation routes: the widget opens a chat and sends messages; staff read the state."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.responses import StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from agent.exceptions import (
    AgentError,
    ConversationNotFound,
    InvalidMessage,
    InvalidVisitorToken,
    MessageTooLong,
)
from agent.models import Citation, Conversation, Message, QualificationEvent
from agent.service import Agent
from agent.turn import TurnResult
from api.deps import ServicesDep, StaffDep, bearer_or_cookie
from core.auth import authenticate
from core.qualification import Qualification

log = logging.getLogger("baton.api")
router = APIRouter(prefix="/v1/conversations", tags=["conversations"])
_bearer = HTTPBearer(auto_error=False)
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


class ConversationCreate(BaseModel):
    """What the widget may send when it opens a chat."""

    metadata: dict[str, Any] = Field(default_factory=dict, description="page URL, UTM, referrer")
    site_key: str | None = Field(default=None, max_length=100)


class ConversationCreated(BaseModel):
    """A new conversation; keep the visitor token, it is shown only once."""

    id: str
    visitor_token: str
    greeting: str


class MessageIn(BaseModel):
    """A visitor's message."""

    text: str


class ReplyOut(BaseModel):
    """The assistant's reply; `ask` names the detail it asked for (e.g. "contact"), if any."""

    text: str
    citations: list[Citation]
    message_id: str
    ask: str | None = None


class MessageReply(BaseModel):
    """The answer to one visitor message."""

    reply: ReplyOut


class MessageOut(BaseModel):
    """One message of a transcript."""

    id: str
    seq: int
    role: str
    text: str
    citations: list[Citation]
    created_at: datetime


class Transcript(BaseModel):
    """A conversation as the visitor sees it; staff also get the qualification state."""

    id: str
    created_at: datetime
    messages: list[MessageOut]
    qualification: Qualification | None = None
    metadata: dict[str, Any] | None = None
    site_key: str | None = None
    handoff_id: str | None = None
    declined: list[str] | None = None


class ConversationSummary(BaseModel):
    """A conversation as listed for staff."""

    id: str
    created_at: datetime
    updated_at: datetime
    stage: str
    score: int
    handoff_id: str | None


class ConversationList(BaseModel):
    """One page of conversations, newest first."""

    items: list[ConversationSummary]


class HistoryEntry(BaseModel):
    """One change of one qualification field, with the visitor's words behind it."""

    id: str
    field: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    evidence: str | None
    message_id: str | None
    created_at: datetime


class History(BaseModel):
    """Every qualification change of a conversation, oldest first."""

    items: list[HistoryEntry]


def _agent(services: ServicesDep) -> Agent:
    return services.agent


AgentDep = Annotated[Agent, Depends(_agent)]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ConversationCreated)
def create_conversation(agent: AgentDep, body: ConversationCreate | None = None) -> Any:
    """Open a chat (no key needed). Returns the visitor token that opens this chat only."""
    body = body or ConversationCreate()
    created = agent.create_conversation(metadata=body.metadata, site_key=body.site_key)
    return ConversationCreated(
        id=created.id, visitor_token=created.visitor_token, greeting=created.greeting
    )


@router.post("/{conversation_id}/messages", response_model=MessageReply)
def post_message(
    conversation_id: str, body: MessageIn, request: Request, agent: AgentDep, creds: BearerDep
) -> Any:
    """Send the visitor's message (visitor token) and get the grounded reply.

    With `Accept: text/event-stream` the reply streams as server-sent events:
    `token` {"text"} pieces, `reset` when earlier pieces must be discarded,
    `citations` {"citations"}, then `done` {"message_id"}. The message is stored
    before the reply is computed, so nothing accepted is lost.
    """
    with _errors():
        agent.authorize_visitor(conversation_id, creds.credentials if creds else None)
        if "text/event-stream" in request.headers.get("accept", ""):
            stream = agent.stream_message(conversation_id, body.text)
            return StreamingResponse(
                _sse(stream),
                media_type="text/event-stream",
                headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
            )
        result = agent.post_message(conversation_id, body.text)
    return MessageReply(reply=_reply(result))


@router.get("", response_model=ConversationList)
def list_conversations(
    services: ServicesDep,
    _staff: StaffDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    stage: str | None = None,
) -> Any:
    """List recent conversations, newest first (staff)."""
    with Session(services.engine) as session:
        stmt = select(Conversation).order_by(col(Conversation.created_at).desc()).limit(limit)
        if stage:
            stmt = stmt.where(Conversation.stage == stage)
        rows = session.exec(stmt).all()
    return ConversationList(
        items=[
            ConversationSummary(
                id=c.id,
                created_at=c.created_at,
                updated_at=c.updated_at,
                stage=c.stage,
                score=c.score,
                handoff_id=c.handoff_id,
            )
            for c in rows
        ]
    )


@router.get("/{conversation_id}", response_model=Transcript, response_model_exclude_none=True)
def get_conversation(
    conversation_id: str,
    request: Request,
    services: ServicesDep,
    agent: AgentDep,
    creds: BearerDep,
) -> Any:
    """Read a conversation: the transcript (visitor token), plus its state (staff key)."""
    token = bearer_or_cookie(request, creds)
    with _errors():
        staff = False
        if token and agent.is_visitor_token(token):
            agent.authorize_visitor(conversation_id, token)
        elif token and authenticate(services.engine, token, services.settings.admin_key):
            staff = True
        else:
            raise InvalidVisitorToken(
                "send 'Authorization: Bearer <token>' with the visitor token or a staff key"
            )
        conversation = agent.get_conversation(conversation_id)
        messages = agent.get_transcript(conversation_id)
    out = Transcript(
        id=conversation.id,
        created_at=conversation.created_at,
        messages=[_message(m) for m in messages],
    )
    if staff:
        out.qualification = Qualification.model_validate(conversation.qualification or {})
        out.metadata = dict(conversation.meta or {})
        out.site_key = conversation.site_key
        out.handoff_id = conversation.handoff_id
        out.declined = list(conversation.declined or [])
    return out


@router.get("/{conversation_id}/qualification", response_model=Qualification)
def get_qualification(conversation_id: str, agent: AgentDep, _staff: StaffDep) -> Any:
    """Read the BANT state of a conversation, each field with its evidence (staff)."""
    with _errors():
        return agent.get_qualification(conversation_id)


@router.get("/{conversation_id}/qualification/history", response_model=History)
def get_qualification_history(conversation_id: str, agent: AgentDep, _staff: StaffDep) -> Any:
    """List every change of the BANT state, with the visitor's words behind it (staff)."""
    with _errors():
        events = agent.get_history(conversation_id)
    return History(items=[_event(e) for e in events])


@contextmanager
def _errors() -> Iterator[None]:
    """Translate the agent's errors into HTTP errors with a clear message."""
    try:
        yield
    except AgentError as exc:
        raise _http_error(exc) from exc


def _http_error(exc: AgentError) -> HTTPException:
    if isinstance(exc, MessageTooLong):
        return HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, str(exc))
    if isinstance(exc, InvalidMessage):
        return HTTPException(status.HTTP_400_BAD_REQUEST, str(exc))
    if isinstance(exc, InvalidVisitorToken):
        return HTTPException(
            status.HTTP_401_UNAUTHORIZED, str(exc), headers={"WWW-Authenticate": "Bearer"}
        )
    if isinstance(exc, ConversationNotFound):
        return HTTPException(status.HTTP_404_NOT_FOUND, str(exc))
    return HTTPException(status.HTTP_400_BAD_REQUEST, str(exc))


def _sse(stream: Iterator[Any]) -> Iterator[str]:
    """Turn a turn's stream into server-sent events."""
    try:
        for item in stream:
            if isinstance(item, str):
                if item:
                    yield _event_text("token", {"text": item})
            elif isinstance(item, TurnResult):
                citations = [c.model_dump() for c in item.citations]
                yield _event_text("citations", {"citations": citations})
                yield _event_text("done", {"message_id": item.message_id, "ask": item.ask})
            else:
                yield _event_text("reset", {"reason": getattr(item, "reason", "")})
    except Exception:
        # Headers are sent already; say so in-band. The visitor's message is stored.
        log.exception("streaming a reply failed")
        yield _event_text("error", {"detail": "the reply could not be completed; please retry"})


def _event_text(name: str, data: dict[str, Any]) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _reply(result: TurnResult) -> ReplyOut:
    return ReplyOut(
        text=result.text, citations=result.citations, message_id=result.message_id, ask=result.ask
    )


def _message(m: Message) -> MessageOut:
    return MessageOut(
        id=m.id,
        seq=m.seq,
        role=m.role,
        text=m.text,
        citations=[Citation.model_validate(c) for c in m.citations or []],
        created_at=m.created_at,
    )


def _event(e: QualificationEvent) -> HistoryEntry:
    return HistoryEntry(
        id=e.id,
        field=e.field,
        before=e.before,
        after=e.after,
        evidence=e.evidence,
        message_id=e.message_id,
        created_at=e.created_at,
    )
