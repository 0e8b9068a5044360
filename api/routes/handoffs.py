"""Sales API: the handoff inbox, a handoff's details, and the rep's verdicts."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field

from api.deps import SalesDep, ServicesDep
from core.qualification import Stage
from handoff import service as handoff_service
from handoff.exceptions import InvalidTransitionError, NotFoundError
from handoff.models import HandoffPublic, HandoffReason, HandoffStatus, RejectReason

router = APIRouter(prefix="/v1/handoffs", tags=["handoffs"])


class HandoffPage(BaseModel):
    """One page of handoffs, newest first; pass `next_cursor` back as `cursor` for the next."""

    items: list[HandoffPublic]
    next_cursor: str | None


class RejectBody(BaseModel):
    """Why the lead is turned down; the reason is mandatory and feeds marketing's insights."""

    reason: RejectReason
    note: str = Field(default="", max_length=2000)


class OutcomeBody(BaseModel):
    """How an accepted lead ended, with the deal amount when won."""

    result: Literal["won", "lost"]
    amount: float | None = Field(default=None, ge=0)


@router.get("", response_model=HandoffPage)
def list_handoffs(
    services: ServicesDep,
    _principal: SalesDep,
    status_: Annotated[HandoffStatus | None, Query(alias="status")] = None,
    reason: HandoffReason | None = None,
    stage: Stage | None = None,
    conversation_id: str | None = None,
    since: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
) -> HandoffPage:
    """List handoffs newest first, filtered by status, reason, stage, conversation or date."""
    rows = handoff_service.list_handoffs(
        services.engine,
        status=status_,
        reason=reason,
        stage=stage,
        conversation_id=conversation_id,
        since=since,
        limit=limit + 1,
        after=_decode_cursor(cursor) if cursor else None,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = _encode_cursor(rows[-1].created_at, rows[-1].id) if more else None
    return HandoffPage(items=[HandoffPublic.from_row(r) for r in rows], next_cursor=next_cursor)


@router.get("/{handoff_id}", response_model=HandoffPublic)
def get_handoff(handoff_id: str, services: ServicesDep, _principal: SalesDep) -> HandoffPublic:
    """Return one handoff: summary, BANT with evidence, contact, transcript and sources."""
    with _errors():
        return HandoffPublic.from_row(handoff_service.get_handoff(services.engine, handoff_id))


@router.post("/{handoff_id}/accept", response_model=HandoffPublic)
def accept_handoff(handoff_id: str, services: ServicesDep, principal: SalesDep) -> HandoffPublic:
    """Accept a pending handoff: the rep takes the lead."""
    with _errors():
        row = handoff_service.change_status(
            services.engine,
            handoff_id,
            action="accept",
            by=principal.name,
            now=services.clock.now(),
        )
    return HandoffPublic.from_row(row)


@router.post("/{handoff_id}/reject", response_model=HandoffPublic)
def reject_handoff(
    handoff_id: str, body: RejectBody, services: ServicesDep, principal: SalesDep
) -> HandoffPublic:
    """Reject a pending handoff with a reason (mandatory) and an optional note."""
    with _errors():
        row = handoff_service.change_status(
            services.engine,
            handoff_id,
            action="reject",
            by=principal.name,
            now=services.clock.now(),
            reject_reason=body.reason,
            note=body.note,
        )
    return HandoffPublic.from_row(row)


@router.post("/{handoff_id}/outcome", response_model=HandoffPublic)
def record_outcome(
    handoff_id: str, body: OutcomeBody, services: ServicesDep, principal: SalesDep
) -> HandoffPublic:
    """Record whether an accepted handoff was won or lost, and the amount when known."""
    with _errors():
        row = handoff_service.change_status(
            services.engine,
            handoff_id,
            action=body.result,
            by=principal.name,
            now=services.clock.now(),
            amount=body.amount,
        )
    return HandoffPublic.from_row(row)


@contextmanager
def _errors() -> Iterator[None]:
    # Domain errors carry a message meant for the caller.
    try:
        yield
    except NotFoundError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    except InvalidTransitionError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc


def _encode_cursor(created_at: datetime, handoff_id: str) -> str:
    raw = json.dumps({"t": created_at.isoformat(), "i": handoff_id}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        at = datetime.fromisoformat(data["t"])
        handoff_id = str(data["i"])
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            "cursor is not valid: pass back the next_cursor of a previous page",
        ) from exc
    if at.tzinfo is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "cursor is not valid")
    return at, handoff_id
