"""Handoff operations: record a trigger, replace the summary, move through the lifecycle."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import and_, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.clock import utcnow
from core.db import session_scope
from core.qualification import Qualification
from handoff.config import HandoffSettings
from handoff.exceptions import InvalidTransitionError, NotFoundError, SummaryMismatchError
from handoff.models import CitedSource, Handoff, HandoffPublic, RejectReason, TranscriptEntry
from handoff.outbox import emit_event
from handoff.routing import assign_rep, load_routing
from handoff.summary import build_summary, recommend_next_step, unmatched_figures

# Which status each action leads to, from which status: nothing else is allowed.
_TRANSITIONS: dict[str, tuple[str, frozenset[str]]] = {
    "accept": ("accepted", frozenset({"pending"})),
    "reject": ("rejected", frozenset({"pending"})),
    "won": ("won", frozenset({"accepted"})),
    "lost": ("lost", frozenset({"accepted"})),
}
# Evidence quotes and message ids change as the visitor repeats themselves; the facts do not.
_EVIDENCE_KEYS = {"evidence", "message_id"}


def record_trigger(
    session: Session,
    *,
    conversation_id: str,
    reason: Literal["qualified", "requested"],
    qualification: Qualification,
    transcript: list[TranscriptEntry],
    cited_sources: list[CitedSource],
    page: dict[str, Any],
    now: datetime,
    summary: str | None = None,
) -> Handoff:
    """Create the conversation's handoff or update it, writing its events; never commit."""
    handoff = session.exec(
        select(Handoff).where(col(Handoff.conversation_id) == conversation_id)
    ).first()
    state = qualification.model_dump(mode="json")
    entries = [_entry_json(e) for e in transcript]
    sources = _merge_sources(handoff.cited_sources if handoff else [], cited_sources)
    if handoff is None:
        handoff = Handoff(
            conversation_id=conversation_id,
            created_at=now,
            updated_at=now,
            reason=reason,
            stage=qualification.stage,
            qualification=state,
            transcript=entries,
            cited_sources=sources,
            page=dict(page),
        )
        _write_summary(handoff, qualification, transcript, summary)
        routing = load_routing(HandoffSettings().resolved_routing_file())
        handoff.assigned_to = assign_rep(
            session, routing, HandoffPublic.from_row(handoff).model_dump(mode="json")
        )
        session.add(handoff)
        session.flush()
        emit_event(session, event_type="handoff.created", handoff=handoff, now=now)
        return handoff
    changed = _material_changes(handoff, state)
    handoff.transcript = entries
    handoff.cited_sources = sources
    handoff.qualification = state
    handoff.stage = qualification.stage
    # The landing page and its UTM tags say where the lead came from: the first one stays.
    handoff.page = {**page, **handoff.page}
    if changed or summary is not None:
        _write_summary(handoff, qualification, transcript, summary)
    handoff.updated_at = now
    session.add(handoff)
    if changed:
        session.flush()
        extra = {"changed_fields": changed}
        emit_event(session, event_type="handoff.updated", handoff=handoff, now=now, extra=extra)
    return handoff


def set_summary(engine: Engine, handoff_id: str, summary: str) -> None:
    """Replace the template summary with a model-written one whose figures match the state."""
    text = summary.strip()
    with session_scope(engine) as session:
        handoff = session.get(Handoff, handoff_id)
        if handoff is None:
            raise NotFoundError(f"handoff {handoff_id} not found")
        if not text:
            raise SummaryMismatchError("summary is empty")
        visitor = " ".join(e["text"] for e in handoff.transcript if e.get("role") == "visitor")
        qualification = Qualification.model_validate(handoff.qualification)
        wrong = unmatched_figures(text, qualification, visitor)
        if wrong:
            raise SummaryMismatchError(
                f"summary states figures the qualification does not hold: {', '.join(wrong)}"
            )
        if text == handoff.summary:
            return
        now = utcnow()
        handoff.summary = text
        handoff.summary_source = "llm"
        handoff.updated_at = now
        session.add(handoff)
        session.flush()
        emit_event(
            session,
            event_type="handoff.updated",
            handoff=handoff,
            now=now,
            extra={"changed_fields": ["summary"]},
        )


def build_summary_payload(handoff: Handoff) -> dict[str, Any]:
    """Return what a model summarizer receives: the facts, the transcript and the sources."""
    public = HandoffPublic.from_row(handoff)
    return {
        "reason": public.reason,
        "qualification": public.qualification.model_dump(mode="json"),
        "contact": public.contact.model_dump(mode="json"),
        "transcript": [{"role": e.role, "text": e.text} for e in public.transcript],
        "cited_sources": [s.model_dump(mode="json") for s in public.cited_sources],
        "page": public.page,
        "template_summary": public.summary,
        "recommended_next_step": public.recommended_next_step,
    }


def change_status(
    engine: Engine,
    handoff_id: str,
    *,
    action: Literal["accept", "reject", "won", "lost"],
    by: str,
    now: datetime,
    reject_reason: RejectReason | None = None,
    note: str | None = None,
    amount: float | None = None,
) -> Handoff:
    """Move a handoff to its next status and emit `handoff.status_changed` in one transaction."""
    target, allowed_from = _TRANSITIONS[action]
    with session_scope(engine) as session:
        handoff = session.exec(
            select(Handoff).where(col(Handoff.id) == handoff_id).with_for_update()
        ).first()
        if handoff is None:
            raise NotFoundError(f"handoff {handoff_id} not found")
        previous = handoff.status
        if previous not in allowed_from:
            raise InvalidTransitionError(
                f"cannot {action if action in ('accept', 'reject') else 'mark as ' + action} "
                f"a handoff that is {previous}; allowed only when "
                f"{' or '.join(sorted(allowed_from))}"
            )
        handoff.status = target
        handoff.updated_at = now
        handoff.decided_by = by
        if action in ("accept", "reject"):
            handoff.decided_at = now
        if action == "reject":
            handoff.rejection_reason = reject_reason
            handoff.rejection_note = note or ""
        if action in ("won", "lost"):
            handoff.closed_at = now
            handoff.outcome_amount = amount
        session.add(handoff)
        session.flush()
        emit_event(
            session,
            event_type="handoff.status_changed",
            handoff=handoff,
            now=now,
            extra={"previous_status": previous, "changed_by": by},
        )
        return handoff


def _write_summary(
    handoff: Handoff,
    qualification: Qualification,
    transcript: list[TranscriptEntry],
    summary: str | None,
) -> None:
    handoff.summary = summary or build_summary(qualification, transcript, handoff.reason)
    handoff.summary_source = "llm" if summary else "template"
    handoff.recommended_next_step = recommend_next_step(qualification, handoff.reason)


def _entry_json(entry: TranscriptEntry) -> dict[str, Any]:
    # Timestamps read back from SQLite lose their zone; they are UTC.
    at = entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=UTC)
    return {"role": entry.role, "text": entry.text, "at": at.isoformat()}


def _merge_sources(old: list[dict[str, Any]], new: list[CitedSource]) -> list[dict[str, Any]]:
    merged = {s["document_id"]: s for s in old}
    for source in new:
        merged.setdefault(source.document_id, source.model_dump(mode="json"))
    return list(merged.values())


def _material_changes(handoff: Handoff, state: dict[str, Any]) -> list[str]:
    before, after = _facts(handoff.qualification), _facts(state)
    return [key for key in sorted(set(before) | set(after)) if before.get(key) != after.get(key)]


def _facts(state: dict[str, Any]) -> dict[str, Any]:
    return {
        key: {k: v for k, v in value.items() if k not in _EVIDENCE_KEYS}
        if isinstance(value, dict)
        else value
        for key, value in state.items()
    }


def get_handoff(engine: Engine, handoff_id: str) -> Handoff:
    """Return one handoff or raise NotFoundError."""
    with Session(engine) as session:
        handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise NotFoundError(f"handoff {handoff_id} not found")
    return handoff


def list_handoffs(
    engine: Engine,
    *,
    status: str | None = None,
    reason: str | None = None,
    stage: str | None = None,
    conversation_id: str | None = None,
    since: datetime | None = None,
    limit: int = 50,
    after: tuple[datetime, str] | None = None,
) -> list[Handoff]:
    """List handoffs newest first, after a keyset position `(created_at, id)` when given."""
    query = select(Handoff)
    for column, value in (
        (Handoff.status, status),
        (Handoff.reason, reason),
        (Handoff.stage, stage),
        (Handoff.conversation_id, conversation_id),
    ):
        if value is not None:
            query = query.where(col(column) == value)
    if since is not None:
        query = query.where(col(Handoff.created_at) >= since)
    if after is not None:
        at, last_id = after
        query = query.where(
            or_(
                col(Handoff.created_at) < at,
                and_(col(Handoff.created_at) == at, col(Handoff.id) < last_id),
            )
        )
    query = query.order_by(col(Handoff.created_at).desc(), col(Handoff.id).desc()).limit(limit)
    with Session(engine) as session:
        return list(session.exec(query).all())
