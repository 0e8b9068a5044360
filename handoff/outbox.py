"""The transactional outbox: events written with the business change, claimed and settled later."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.db import session_scope
from handoff.models import (
    EventType,
    Handoff,
    HandoffPublic,
    OutboxEvent,
    WebhookDelivery,
    WebhookEndpoint,
)

# Delay before each attempt (Standard Webhooks' schedule): the first is immediate.
RETRY_SCHEDULE: tuple[float, ...] = (0, 5, 300, 1800, 7200, 18000, 36000, 36000)
JITTER = 0.1  # +-10 %, so endpoints recovering from an outage are not hit in lockstep
MAX_RETRY_AFTER = 86400.0


@dataclass(frozen=True)
class ClaimedDelivery:
    """A delivery this dispatcher holds until `claimed_until`, with what it needs to send it."""

    id: str
    claim_token: str
    attempts: int
    event_id: str
    event_type: str
    payload: dict[str, Any]
    endpoint_id: str
    url: str
    format: str
    secrets: list[str]


def emit_event(
    session: Session,
    *,
    event_type: EventType,
    handoff: Handoff,
    now: datetime,
    extra: dict[str, Any] | None = None,
) -> OutboxEvent:
    """Write an event and one delivery per subscribed endpoint in the caller's transaction."""
    data = HandoffPublic.from_row(handoff).model_dump(mode="json")
    payload = {"type": event_type, "timestamp": now.isoformat(), "data": data, **(extra or {})}
    event = OutboxEvent(type=event_type, handoff_id=handoff.id, payload=payload, created_at=now)
    session.add(event)
    endpoints = session.exec(
        select(WebhookEndpoint).where(col(WebhookEndpoint.status) == "active")
    ).all()
    for endpoint in endpoints:
        if event_type in endpoint.events:
            session.add(
                WebhookDelivery(
                    event_id=event.id, endpoint_id=endpoint.id, next_attempt_at=now, created_at=now
                )
            )
    return event


def claim_due(
    engine: Engine, *, now: datetime, lease_seconds: float, limit: int
) -> list[ClaimedDelivery]:
    """Claim up to `limit` due deliveries for this caller until the lease expires."""
    token = uuid.uuid4().hex
    due = (
        (col(WebhookDelivery.status) == "pending")
        & (col(WebhookDelivery.next_attempt_at) <= now)
        & or_(
            col(WebhookDelivery.claimed_until).is_(None), col(WebhookDelivery.claimed_until) < now
        )
    )
    # PostgreSQL locks the candidate rows and skips those another dispatcher holds.
    # SQLite ignores FOR UPDATE; its BEGIN IMMEDIATE serialises claimers, and the
    # conditional UPDATE only takes rows whose lease is free.
    candidates = (
        select(WebhookDelivery.id)
        .join(WebhookEndpoint, col(WebhookEndpoint.id) == col(WebhookDelivery.endpoint_id))
        .where(due, col(WebhookEndpoint.status) == "active")
        .order_by(col(WebhookDelivery.next_attempt_at))
        .limit(limit)
        .with_for_update(skip_locked=True, of=WebhookDelivery)
    )
    with session_scope(engine) as session:
        claimed = session.exec(
            update(WebhookDelivery)
            .where(col(WebhookDelivery.id).in_(candidates.scalar_subquery()), due)
            .values(claim_token=token, claimed_until=now + timedelta(seconds=lease_seconds))
            .execution_options(synchronize_session=False)
        )
        if not claimed.rowcount:
            return []
        rows = session.exec(
            select(WebhookDelivery, OutboxEvent, WebhookEndpoint)
            .join(OutboxEvent, col(OutboxEvent.id) == col(WebhookDelivery.event_id))
            .join(WebhookEndpoint, col(WebhookEndpoint.id) == col(WebhookDelivery.endpoint_id))
            .where(col(WebhookDelivery.claim_token) == token)
            .order_by(col(WebhookDelivery.next_attempt_at))
        ).all()
        return [
            ClaimedDelivery(
                id=d.id,
                claim_token=token,
                attempts=d.attempts,
                event_id=e.id,
                event_type=e.type,
                payload=e.payload,
                endpoint_id=ep.id,
                url=ep.url,
                format=ep.format,
                secrets=live_secrets(ep, now),
            )
            for d, e, ep in rows
        ]


def live_secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """Return the secrets that sign now: the current one, and the previous during a rotation."""
    secrets = [endpoint.secret]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and expires > now:
        secrets.append(endpoint.previous_secret)
    return secrets


def record_success(
    engine: Engine, claimed: ClaimedDelivery, *, now: datetime, status_code: int
) -> bool:
    """Mark a claimed delivery as delivered; False when the claim was lost meanwhile."""
    return _settle(
        engine,
        claimed,
        status="succeeded",
        attempts=claimed.attempts + 1,
        last_attempt_at=now,
        delivered_at=now,
        last_response_status=status_code,
        last_error=None,
    )


def record_failure(
    engine: Engine,
    claimed: ClaimedDelivery,
    *,
    now: datetime,
    status_code: int | None,
    error: str,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> str:
    """Schedule the next attempt of a failed delivery, or mark it failed after the last one."""
    attempts = claimed.attempts + 1
    fields: dict[str, Any] = {
        "attempts": attempts,
        "last_attempt_at": now,
        "last_response_status": status_code,
        "last_error": error[:2000],
    }
    if attempts >= len(RETRY_SCHEDULE):
        _settle(engine, claimed, status="failed", **fields)
        return "failed"
    delay = next_delay(attempts, retry_after, rng or random.Random())
    _settle(
        engine, claimed, status="pending", next_attempt_at=now + timedelta(seconds=delay), **fields
    )
    return "pending"


def next_delay(attempts: int, retry_after: float | None, rng: random.Random) -> float:
    """Return the seconds to wait after `attempts` tries: the schedule with jitter, or longer
    when the receiver asked for it with Retry-After."""
    base = RETRY_SCHEDULE[attempts]
    delay = base * (1 + rng.uniform(-JITTER, JITTER))
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
    return delay


def disable_endpoint(
    engine: Engine, claimed: ClaimedDelivery, *, now: datetime, reason: str
) -> None:
    """Disable an endpoint that answered 410 Gone and fail everything still queued for it."""
    with session_scope(engine) as session:
        session.exec(
            update(WebhookEndpoint)
            .where(col(WebhookEndpoint.id) == claimed.endpoint_id)
            .values(status="disabled", disabled_reason=reason)
        )
        session.exec(
            update(WebhookDelivery)
            .where(
                col(WebhookDelivery.endpoint_id) == claimed.endpoint_id,
                col(WebhookDelivery.status) == "pending",
            )
            .values(
                status="failed",
                claim_token=None,
                claimed_until=None,
                last_error=f"endpoint disabled: {reason}",
            )
        )
        session.exec(
            update(WebhookDelivery)
            .where(col(WebhookDelivery.id) == claimed.id)
            .values(attempts=claimed.attempts + 1, last_attempt_at=now, last_response_status=410)
        )


def _settle(engine: Engine, claimed: ClaimedDelivery, **values: Any) -> bool:
    with session_scope(engine) as session:
        result = session.exec(
            update(WebhookDelivery)
            .where(
                col(WebhookDelivery.id) == claimed.id,
                col(WebhookDelivery.claim_token) == claimed.claim_token,
            )
            .values(claim_token=None, claimed_until=None, **values)
        )
        return bool(result.rowcount)
