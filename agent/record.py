"""The end of a turn: qualify the visitor's facts, then store the whole turn in one transaction."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy.engine import Engine as Database
from sqlmodel import Session

from agent import conversations as store
from agent.dialogue import FollowUp
from agent.models import ContentGap, Conversation, EngineReply, Facts, QualificationEvent
from core.db import session_scope
from core.qualification import BANT_FIELDS, Qualification

if TYPE_CHECKING:
    from agent.turn import AcceptedMessage

log = logging.getLogger("baton.agent")

_FIELDS = (*BANT_FIELDS, "contact")


@dataclass(frozen=True)
class Outcome:
    """The qualification after this turn, and what changed on the way."""

    before: Qualification
    qualification: Qualification
    changed: list[str]
    declined: list[str]
    policy_version: int | None


@dataclass(frozen=True)
class Stored:
    """Ids of what the turn stored."""

    message_id: str
    handoff_id: str | None


def qualify_turn(
    db: Database, current: Qualification, facts: Facts | None, *, wants_human: bool
) -> Outcome:
    """Merge a turn's facts into the state and apply the active scoring policy."""
    merged = facts.qualification if facts is not None else current
    changed = [
        name
        for name in _FIELDS
        if getattr(merged, name).model_dump() != getattr(current, name).model_dump()
    ]
    version: int | None = None
    try:
        from agent.policy import load_active_policy, qualify

        version, policy = load_active_policy(db)
        qualified = qualify(merged, policy)
    except Exception:
        # Never lose a turn to a policy problem; keep the last known stage and score.
        log.exception("qualification policy failed; keeping the previous stage")
        qualified = merged.model_copy(update={"stage": current.stage, "score": current.score})
    declined = list(facts.declined) if facts is not None else []
    return Outcome(current, qualified, changed, declined, version)


def record_turn(
    db: Database,
    *,
    accepted: AcceptedMessage,
    outcome: Outcome,
    reply: EngineReply,
    text: str,
    message_outcome: str,
    follow: FollowUp,
    wants_human: bool,
    now: datetime,
) -> Stored:
    """Store events, the assistant message, a gap and the handoff, all in one transaction."""
    q = outcome.qualification
    with session_scope(db) as session:
        conversation = store.get_conversation(session, accepted.conversation_id, lock=True)
        if conversation is None:  # deleted mid-turn; nothing to attach the reply to
            raise LookupError(accepted.conversation_id)
        _add_events(session, conversation.id, accepted, outcome, now)
        message = store.add_message(
            session,
            conversation.id,
            role="assistant",
            text=text,
            citations=[c.model_dump() for c in reply.citations],
            engine=reply.engine,
            prompt_version=reply.prompt_version,
            outcome=message_outcome,
            created_at=now,
        )
        if message_outcome == "gap":
            session.add(
                ContentGap(
                    conversation_id=conversation.id,
                    message_id=accepted.message_id,
                    question=accepted.text,
                    best_score=reply.best_score,
                    created_at=now,
                )
            )
        stage_moved = q.stage != outcome.before.stage
        trigger = (
            wants_human
            or (q.stage == "sql" and (conversation.handoff_id is None or stage_moved))
            or (conversation.handoff_id is not None and (bool(outcome.changed) or stage_moved))
        )
        _update_conversation(conversation, outcome, follow, wants_human, now)
        if trigger:
            conversation.handoff_id = _trigger_handoff(session, conversation, q, wants_human, now)
        session.add(conversation)
        return Stored(message.id, conversation.handoff_id if trigger else None)


def _add_events(
    session: Session,
    conversation_id: str,
    accepted: AcceptedMessage,
    outcome: Outcome,
    now: datetime,
) -> None:
    """Write one event per changed field, then one for a stage change."""
    events: list[QualificationEvent] = []
    for name in outcome.changed:
        after = getattr(outcome.qualification, name)
        evidence = getattr(after, "evidence", None) or accepted.text
        events.append(
            QualificationEvent(
                conversation_id=conversation_id,
                message_id=accepted.message_id,
                field=name,
                before=getattr(outcome.before, name).model_dump(mode="json"),
                after=after.model_dump(mode="json"),
                evidence=evidence,
            )
        )
    q = outcome.qualification
    if q.stage != outcome.before.stage or q.score != outcome.before.score:
        events.append(
            QualificationEvent(
                conversation_id=conversation_id,
                message_id=accepted.message_id,
                field="stage",
                before={"stage": outcome.before.stage, "score": outcome.before.score},
                after={
                    "stage": q.stage,
                    "score": q.score,
                    "policy_version": outcome.policy_version,
                },
                evidence=accepted.text,
            )
        )
    for i, event in enumerate(events):
        # Distinct timestamps keep the history in the order the changes were made.
        event.created_at = now + timedelta(microseconds=i)
        session.add(event)


def _update_conversation(
    conversation: Conversation,
    outcome: Outcome,
    follow: FollowUp,
    wants_human: bool,
    now: datetime,
) -> None:
    """Set the conversation's new state (new lists, so JSON columns see the change)."""
    q = outcome.qualification
    conversation.qualification = q.model_dump(mode="json")
    conversation.stage = q.stage
    conversation.score = q.score
    conversation.declined = sorted(set(conversation.declined or []) | set(outcome.declined))
    asked = list(conversation.asked or [])
    if follow.asked is not None:
        asked.append(follow.asked)
    conversation.asked = asked
    conversation.last_asked = follow.asked
    conversation.handoff_requested = conversation.handoff_requested or wants_human
    conversation.handoff_confirmed = follow.handoff_confirmed
    conversation.updated_at = now


def _trigger_handoff(
    session: Session,
    conversation: Conversation,
    q: Qualification,
    wants_human: bool,
    now: datetime,
) -> str:
    """Create or update the conversation's handoff in the caller's transaction."""
    from handoff import service as handoff_service
    from handoff.models import CitedSource, Handoff, TranscriptEntry

    session.flush()
    messages = store.list_messages(session, conversation.id)
    transcript = [TranscriptEntry(role=m.role, text=m.text, at=m.created_at) for m in messages]
    cited: dict[str, CitedSource] = {}
    for m in messages:
        for c in m.citations or []:
            cited.setdefault(c["document_id"], CitedSource(**c))
    # The reason is the first trigger's: a later request or stage change updates the handoff.
    existing = session.get(Handoff, conversation.handoff_id) if conversation.handoff_id else None
    reason: Literal["qualified", "requested"]
    if existing is not None and existing.reason in ("qualified", "requested"):
        reason = "qualified" if existing.reason == "qualified" else "requested"
    else:
        reason = "requested" if wants_human or q.stage != "sql" else "qualified"
    page: dict[str, Any] = dict(conversation.meta or {})
    handoff = handoff_service.record_trigger(
        session,
        conversation_id=conversation.id,
        reason=reason,
        qualification=q,
        transcript=transcript,
        cited_sources=list(cited.values()),
        page=page,
        now=now,
    )
    return str(handoff.id)
