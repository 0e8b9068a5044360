"""Webhook endpoints (register, list, delete, rotate), their deliveries, and the bodies sent."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.db import session_scope
from handoff.config import HandoffSettings
from handoff.exceptions import ConflictError, NotFoundError
from handoff.models import (
    EventType,
    OutboxEvent,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookFormat,
)
from handoff.signing import generate_secret
from handoff.urlsafety import check_url


class EndpointPublic(BaseModel):
    """A webhook endpoint as listed (never with its secret)."""

    id: str
    url: str
    events: list[EventType]
    format: WebhookFormat
    description: str | None
    status: str
    disabled_reason: str | None
    created_at: datetime
    rotating_until: datetime | None

    @classmethod
    def from_row(cls, row: WebhookEndpoint, now: datetime) -> EndpointPublic:
        """Build the public view of an endpoint."""
        rotating = row.previous_secret_expires_at
        return cls.model_validate(
            {
                **row.model_dump(include={"id", "url", "events", "format", "description"}),
                "status": row.status,
                "disabled_reason": row.disabled_reason,
                "created_at": row.created_at,
                "rotating_until": rotating if rotating is not None and rotating > now else None,
            }
        )


class EndpointWithSecret(EndpointPublic):
    """An endpoint with its signing secret, returned once at creation or rotation."""

    secret: str


class DeliveryPublic(BaseModel):
    """One event's delivery to one endpoint; `event_id` is the `webhook-id` header."""

    id: str
    event_id: str
    event_type: str
    handoff_id: str
    endpoint_id: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_response_status: int | None
    last_error: str | None
    delivered_at: datetime | None
    replay_of: str | None
    created_at: datetime


def create_endpoint(
    engine: Engine,
    *,
    url: str,
    events: list[EventType],
    format: WebhookFormat,
    description: str | None,
    created_by: str,
    settings: HandoffSettings,
    now: datetime,
) -> EndpointWithSecret:
    """Register an endpoint after checking its URL is safe; its secret is returned only here."""
    check_url(
        url,
        allow_loopback=settings.webhook_allow_loopback,
        allow_private=settings.webhook_allow_private,
    )
    row = WebhookEndpoint(
        url=url,
        events=sorted(set(events)),
        format=format,
        description=description,
        secret=generate_secret(),
        created_by=created_by,
        created_at=now,
    )
    with session_scope(engine) as session:
        session.add(row)
    return EndpointWithSecret(**EndpointPublic.from_row(row, now).model_dump(), secret=row.secret)


def list_endpoints(engine: Engine, *, now: datetime) -> list[EndpointPublic]:
    """List every endpoint, oldest first."""
    with Session(engine) as session:
        rows = session.exec(select(WebhookEndpoint).order_by(col(WebhookEndpoint.created_at)))
        return [EndpointPublic.from_row(row, now) for row in rows]


def delete_endpoint(engine: Engine, endpoint_id: str) -> None:
    """Delete an endpoint and its delivery history."""
    with session_scope(engine) as session:
        if session.get(WebhookEndpoint, endpoint_id) is None:
            raise NotFoundError(f"webhook endpoint {endpoint_id} not found")
        session.exec(delete(WebhookDelivery).where(col(WebhookDelivery.endpoint_id) == endpoint_id))
        session.exec(delete(WebhookEndpoint).where(col(WebhookEndpoint.id) == endpoint_id))


def rotate_secret(
    engine: Engine, endpoint_id: str, *, now: datetime, window_hours: float
) -> EndpointWithSecret:
    """Issue a new secret; the old one keeps signing beside it for `window_hours`."""
    with session_scope(engine) as session:
        row = session.get(WebhookEndpoint, endpoint_id)
        if row is None:
            raise NotFoundError(f"webhook endpoint {endpoint_id} not found")
        row.previous_secret = row.secret
        row.previous_secret_expires_at = now + timedelta(hours=window_hours)
        row.secret = generate_secret()
        session.add(row)
    public = EndpointPublic.from_row(row, now)
    return EndpointWithSecret(**public.model_dump(), secret=row.secret)


def list_deliveries(
    engine: Engine, endpoint_id: str, *, status: str | None = None, limit: int = 100
) -> list[DeliveryPublic]:
    """List an endpoint's deliveries, newest first, optionally only those with a status."""
    with Session(engine) as session:
        if session.get(WebhookEndpoint, endpoint_id) is None:
            raise NotFoundError(f"webhook endpoint {endpoint_id} not found")
        query = (
            select(WebhookDelivery, OutboxEvent)
            .join(OutboxEvent, col(OutboxEvent.id) == col(WebhookDelivery.event_id))
            .where(col(WebhookDelivery.endpoint_id) == endpoint_id)
        )
        if status is not None:
            query = query.where(col(WebhookDelivery.status) == status)
        query = query.order_by(
            col(WebhookDelivery.created_at).desc(), col(WebhookDelivery.id).desc()
        ).limit(limit)
        return [_delivery_view(d, e) for d, e in session.exec(query).all()]


def replay_delivery(engine: Engine, delivery_id: str, *, now: datetime) -> DeliveryPublic:
    """Queue a finished delivery again, as a new delivery of the same event (same webhook-id)."""
    with session_scope(engine) as session:
        original = session.get(WebhookDelivery, delivery_id)
        if original is None:
            raise NotFoundError(f"webhook delivery {delivery_id} not found")
        if original.status == "pending":
            raise ConflictError(f"delivery {delivery_id} is still pending; it will be retried")
        endpoint = session.get(WebhookEndpoint, original.endpoint_id)
        if endpoint is None or endpoint.status != "active":
            reason = endpoint.disabled_reason if endpoint else "deleted"
            raise ConflictError(f"endpoint {original.endpoint_id} is disabled ({reason})")
        event = session.get(OutboxEvent, original.event_id)
        assert event is not None  # a foreign key guarantees it
        replay = WebhookDelivery(
            event_id=original.event_id,
            endpoint_id=original.endpoint_id,
            next_attempt_at=now,
            replay_of=original.id,
            created_at=now,
        )
        session.add(replay)
        session.flush()
        return _delivery_view(replay, event)


def render_body(format: str, payload: dict[str, Any], public_url: str) -> bytes:
    """Serialise an event for its endpoint: the event itself, or a Slack message."""
    body = _slack_message(payload, public_url) if format == "slack" else payload
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def _slack_message(payload: dict[str, Any], public_url: str) -> dict[str, Any]:
    data = payload.get("data", {})
    contact = data.get("contact") or {}
    who = contact.get("name") or contact.get("email") or "A visitor"
    company = f" ({contact['company']})" if contact.get("company") else ""
    link = f"{public_url.rstrip('/')}/console#/handoffs/{data.get('id', '')}"
    title = {
        "handoff.created": "New handoff",
        "handoff.updated": "Handoff updated",
        "handoff.status_changed": f"Handoff {data.get('status', '')}",
    }.get(str(payload.get("type")), "Handoff")
    headline = f"{title}: {who}{company}"
    assigned = data.get("assigned_to") or "unassigned"
    return {
        "text": f"{headline}. {data.get('summary', '')} <{link}|Open in Baton>",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": headline[:150]}},
            {"type": "section", "text": {"type": "mrkdwn", "text": data.get("summary") or "-"}},
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": f"*Next step:* {data.get('recommended_next_step') or '-'} "
                        f"| *Assigned to:* {assigned} | *Reason:* {data.get('reason')}",
                    }
                ],
            },
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "Open in Baton"},
                        "url": link,
                    }
                ],
            },
        ],
    }


def _delivery_view(delivery: WebhookDelivery, event: OutboxEvent) -> DeliveryPublic:
    return DeliveryPublic.model_validate(
        {
            **delivery.model_dump(),
            "event_type": event.type,
            "handoff_id": event.handoff_id,
            "next_attempt_at": delivery.next_attempt_at if delivery.status == "pending" else None,
        }
    )
