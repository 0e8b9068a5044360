"""Webhook endpoints: register, list, delete, rotate secrets, inspect and replay deliveries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response, status
from pydantic import BaseModel, Field

from api.deps import SalesDep, ServicesDep
from handoff import webhooks as webhook_service
from handoff.config import HandoffSettings
from handoff.exceptions import ConflictError, NotFoundError, UnsafeURLError
from handoff.models import EVENT_TYPES, DeliveryStatus, EventType, WebhookFormat
from handoff.webhooks import DeliveryPublic, EndpointPublic, EndpointWithSecret

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])


class EndpointCreate(BaseModel):
    """A receiver to register; events default to all three handoff events."""

    url: str = Field(min_length=1, max_length=2000)
    events: list[EventType] = Field(default_factory=lambda: list(EVENT_TYPES), min_length=1)
    format: WebhookFormat = "standard"
    description: str | None = Field(default=None, max_length=500)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=EndpointWithSecret)
def create_endpoint(
    body: EndpointCreate, services: ServicesDep, principal: SalesDep
) -> EndpointWithSecret:
    """Register an endpoint. The answer holds its signing secret, shown only this once."""
    with _errors():
        return webhook_service.create_endpoint(
            services.engine,
            url=body.url,
            events=body.events,
            format=body.format,
            description=body.description,
            created_by=principal.name,
            settings=HandoffSettings(),
            now=services.clock.now(),
        )


@router.get("", response_model=list[EndpointPublic])
def list_endpoints(services: ServicesDep, _principal: SalesDep) -> list[EndpointPublic]:
    """List registered endpoints (secrets are never listed)."""
    return webhook_service.list_endpoints(services.engine, now=services.clock.now())


@router.delete("/{endpoint_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_endpoint(endpoint_id: str, services: ServicesDep, _principal: SalesDep) -> Response:
    """Delete an endpoint and its delivery history; nothing more is sent to it."""
    with _errors():
        webhook_service.delete_endpoint(services.engine, endpoint_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{endpoint_id}/rotate", response_model=EndpointWithSecret)
def rotate_secret(
    endpoint_id: str, services: ServicesDep, _principal: SalesDep
) -> EndpointWithSecret:
    """Issue a new secret. Until `rotating_until`, deliveries carry signatures from both."""
    with _errors():
        return webhook_service.rotate_secret(
            services.engine,
            endpoint_id,
            now=services.clock.now(),
            window_hours=HandoffSettings().webhook_rotation_hours,
        )


@router.get("/{endpoint_id}/deliveries", response_model=list[DeliveryPublic])
def list_deliveries(
    endpoint_id: str,
    services: ServicesDep,
    _principal: SalesDep,
    status_: Annotated[DeliveryStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DeliveryPublic]:
    """List an endpoint's deliveries newest first; `status=failed` shows what needs replaying."""
    with _errors():
        return webhook_service.list_deliveries(
            services.engine, endpoint_id, status=status_, limit=limit
        )


@router.post(
    "/deliveries/{delivery_id}/replay",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeliveryPublic,
)
def replay_delivery(
    delivery_id: str, services: ServicesDep, _principal: SalesDep
) -> DeliveryPublic:
    """Send a finished delivery's event again, with the same `webhook-id`."""
    with _errors():
        return webhook_service.replay_delivery(
            services.engine, delivery_id, now=services.clock.now()
        )


@contextmanager
def _errors() -> Iterator[None]:
    # Domain errors carry a message meant for the caller.
    try:
        yield
    except NotFoundError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    except ConflictError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    except UnsafeURLError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
