"""The flow of one visitor message, start to finish. Read this to follow a message.

1. `accept_message` validates the text and stores it, committed, before anything is computed.
2. `run_turn` / `stream_turn`:
   a. read the conversation and its recent history (a short read),
   b. retrieve passages from the knowledge base (no transaction open),
   c. ask the engine for the answer and the visitor's facts (no transaction open),
   d. qualify: merge the facts, apply the active scoring policy,
   e. let the dialogue policy choose the follow-up (one question at most, or the handoff line),
   f. store, in ONE short transaction: the qualification events, the assistant message,
      a content gap when nothing answered, the conversation's new state and, when the
      lead is sql or asked for a human, the handoff with its outbox events.
Nothing slow (embedder, model, HTTP) ever runs inside a transaction: SQLite takes
its write lock at BEGIN.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.engine import Engine as Database

from agent import conversations as store
from agent import intent
from agent.config import AgentSettings
from agent.dialogue import DialogueState, compose_follow_up, topic_of
from agent.engine import Engine, StreamReset, TurnContext
from agent.exceptions import ConversationNotFound, InvalidMessage, MessageTooLong
from agent.models import Citation, EngineReply
from agent.record import Outcome, qualify_turn, record_turn
from core.clock import Clock
from core.db import session_scope
from core.qualification import Qualification
from knowledge.models import SearchHit

log = logging.getLogger("baton.agent")

FALLBACK_TEXT = (
    "Sorry, I ran into a problem answering that. "
    "Someone from our team can help — would you like me to connect you?"
)
# Extraction reads the next message in light of the field just asked about.
_EXTRACTABLE = {"budget", "authority", "need", "timeline", "contact"}


class Retriever(Protocol):
    """The part of the knowledge base a turn needs."""

    def search(self, query: str, k: int = 5) -> list[SearchHit]:
        """Return the best passages for a query."""
        ...


@dataclass(frozen=True)
class TurnRuntime:
    """The collaborators of a turn."""

    db: Database
    kb: Retriever
    engine: Engine
    clock: Clock
    settings: AgentSettings
    # Called after commit with the handoff id when a handoff was created or updated.
    on_handoff: Callable[[str], None] | None = None


@dataclass(frozen=True)
class AcceptedMessage:
    """A visitor message that is stored and committed."""

    conversation_id: str
    message_id: str
    seq: int
    text: str


@dataclass(frozen=True)
class TurnResult:
    """The assistant's reply as stored."""

    message_id: str
    text: str
    citations: list[Citation]
    outcome: str
    ask: str | None
    qualification: Qualification
    handoff_id: str | None


def validate_text(text: object, limit: int) -> str:
    """Return the message text, or raise when it is not something a visitor can send."""
    if not isinstance(text, str):
        raise InvalidMessage("text must be a string")
    if len(text) > limit:
        raise MessageTooLong(len(text), limit)
    if not text.strip():
        raise InvalidMessage("text must not be empty")
    return text.strip()


def accept_message(rt: TurnRuntime, conversation_id: str, text: object) -> AcceptedMessage:
    """Validate and store a visitor message, committed before any reply is computed."""
    clean = validate_text(text, rt.settings.max_message_chars)
    now = rt.clock.now()
    with session_scope(rt.db) as session:
        conversation = store.get_conversation(session, conversation_id, lock=True)
        if conversation is None:
            raise ConversationNotFound(f"no conversation {conversation_id}")
        message = store.add_message(
            session, conversation_id, role="visitor", text=clean, created_at=now
        )
        conversation.updated_at = now
        session.add(conversation)
        accepted = AcceptedMessage(conversation_id, message.id, message.seq, clean)
    return accepted


def run_turn(rt: TurnRuntime, accepted: AcceptedMessage) -> TurnResult:
    """Compute and store the reply to an accepted message."""
    ctx, state = _prepare(rt, accepted)
    try:
        reply = rt.engine.reply(ctx)
    except Exception:
        log.exception("engine %s failed; answering with the fallback", rt.engine.name)
        reply = _fallback_reply()
    return _finish(rt, accepted, ctx, state, reply)


def stream_turn(
    rt: TurnRuntime, accepted: AcceptedMessage
) -> Iterator[str | StreamReset | TurnResult]:
    """Yield the reply's text pieces as they come (maybe a reset), then the stored TurnResult."""
    ctx, state = _prepare(rt, accepted)
    pieces = rt.engine.stream(ctx)
    reply: EngineReply | None = None
    try:
        for item in pieces:
            if isinstance(item, EngineReply):
                reply = item
                break
            yield item
    except GeneratorExit:
        # The client went away mid-answer: still finish and store the turn.
        _finish(rt, accepted, ctx, state, _drain(pieces))
        raise
    except Exception:
        log.exception("engine %s failed mid-stream; answering with the fallback", rt.engine.name)
        yield StreamReset(reason="the engine failed")
        reply = _fallback_reply()
        yield reply.answer
    if reply is None:
        yield StreamReset(reason="the engine returned no reply")
        reply = _fallback_reply()
        yield reply.answer
    result = _finish(rt, accepted, ctx, state, reply)
    if len(result.text) > len(reply.answer):
        yield result.text[len(reply.answer) :]
    yield result


@dataclass(frozen=True)
class _Snapshot:
    """The conversation as it was when the turn started."""

    dialogue: DialogueState
    handoff_id: str | None
    handoff_requested: bool
    offer_pending: bool


def _prepare(rt: TurnRuntime, accepted: AcceptedMessage) -> tuple[TurnContext, _Snapshot]:
    """Read the conversation and its history, then retrieve passages outside any transaction."""
    with session_scope(rt.db) as session:
        conversation = store.get_conversation(session, accepted.conversation_id)
        if conversation is None:
            raise ConversationNotFound(f"no conversation {accepted.conversation_id}")
        history = store.recent_turns(
            session, accepted.conversation_id, rt.settings.history_turns + 1
        )
        current = store.load_qualification(conversation)
        snapshot = _Snapshot(
            dialogue=DialogueState(
                conversation_id=conversation.id,
                asked=list(conversation.asked or []),
                last_asked=conversation.last_asked,
                declined=list(conversation.declined or []),
                handoff_confirmed=conversation.handoff_confirmed,
                handoff_announced=conversation.handoff_id is not None,
            ),
            handoff_id=conversation.handoff_id,
            handoff_requested=conversation.handoff_requested,
            offer_pending=conversation.last_asked == "human",
        )
    passages = _retrieve(rt, accepted.text)
    asked = snapshot.dialogue.last_asked
    if intent.classify(accepted.text) in ("injection", "question"):
        # An order or a product question is not the answer to the last qualifying question.
        asked = None
    ctx = TurnContext(
        question=accepted.text,
        message_id=accepted.message_id,
        history=history[:-1],  # the last one is this very message
        passages=passages,
        current=current,
        today=rt.clock.now().date(),
        asked=asked if asked in _EXTRACTABLE else None,
    )
    return ctx, snapshot


def _retrieve(rt: TurnRuntime, text: str) -> list[SearchHit]:
    """Search the knowledge base; a failing search means no passages, not a failed turn."""
    try:
        return rt.kb.search(intent.retrieval_query(text), k=rt.settings.retrieval_k)
    except Exception:
        log.exception("knowledge search failed; answering without passages")
        return []


def _finish(
    rt: TurnRuntime,
    accepted: AcceptedMessage,
    ctx: TurnContext,
    snap: _Snapshot,
    reply: EngineReply,
) -> TurnResult:
    """Qualify, compose the follow-up and store everything in one short transaction."""
    wants_human = (
        bool(reply.facts and reply.facts.wants_human)
        or (snap.offer_pending and intent.is_affirmative(accepted.text))
        or intent.asks_for_human(accepted.text)
    )
    outcome: Outcome = qualify_turn(rt.db, ctx.current, reply.facts, wants_human=wants_human)
    handoff_due = outcome.qualification.stage == "sql" or wants_human or snap.handoff_requested
    follow = compose_follow_up(
        snap.dialogue,
        outcome.qualification,
        outcome=reply.outcome if reply.engine != "fallback" else "error",
        newly_declined=[f for f in outcome.declined if f not in snap.dialogue.declined],
        handoff_due=handoff_due,
        wants_human_now=wants_human,
        topic=(
            topic_of(reply.citations[0].title, rt.settings.company_name)
            if reply.citations
            else None
        ),
        company=rt.settings.company_name,
    )
    text = "\n\n".join(part for part in (reply.answer, follow.text) if part)
    message_outcome = "error" if reply.engine == "fallback" else reply.outcome
    stored = record_turn(
        rt.db,
        accepted=accepted,
        outcome=outcome,
        reply=reply,
        text=text,
        message_outcome=message_outcome,
        follow=follow,
        wants_human=wants_human,
        now=rt.clock.now(),
    )
    if stored.handoff_id and rt.on_handoff is not None:
        try:
            rt.on_handoff(stored.handoff_id)
        except Exception:
            log.exception("handoff hook failed for %s", stored.handoff_id)
    return TurnResult(
        message_id=stored.message_id,
        text=text,
        citations=list(reply.citations),
        outcome=message_outcome,
        ask=follow.asked if follow.asked != "human" else None,
        qualification=outcome.qualification,
        handoff_id=stored.handoff_id,
    )


def _drain(pieces: Iterator[str | StreamReset | EngineReply]) -> EngineReply:
    """Consume the rest of an engine stream and return its final reply (or the fallback)."""
    try:
        for item in pieces:
            if isinstance(item, EngineReply):
                return item
    except Exception:
        log.exception("engine failed while draining an abandoned stream")
    return _fallback_reply()


def _fallback_reply() -> EngineReply:
    """The reply when the engine failed entirely: apologise and offer the team."""
    return EngineReply(answer=FALLBACK_TEXT, outcome="smalltalk", engine="fallback")
