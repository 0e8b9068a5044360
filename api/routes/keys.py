"""Staff key administration (admin only)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field

from api.deps import AdminDep, ServicesDep, StaffDep
from core.auth import Role, create_key, list_keys, revoke_key

router = APIRouter(prefix="/v1", tags=["staff keys"])


class KeyCreate(BaseModel):
    """A request for a new staff key."""

    name: str = Field(min_length=1, max_length=200)
    role: Role


class KeyPublic(BaseModel):
    """A staff key as listed: never the secret."""

    id: str
    name: str
    role: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None


class KeyCreated(KeyPublic):
    """A newly created key, with its secret shown this once."""

    key: str


@router.get("/me")
def whoami(principal: StaffDep) -> dict[str, str]:
    """Tell the caller which staff key they are using and its role."""
    return {"name": principal.name, "role": principal.role}


@router.post("/keys", status_code=status.HTTP_201_CREATED)
def create_staff_key(body: KeyCreate, services: ServicesDep, _: AdminDep) -> KeyCreated:
    """Create a staff key; the secret is in this response only."""
    row, secret = create_key(services.engine, name=body.name, role=body.role)
    return KeyCreated(**row.model_dump(), key=secret)


@router.get("/keys")
def list_staff_keys(services: ServicesDep, _: AdminDep) -> list[KeyPublic]:
    """List staff keys (hash and secret are never returned)."""
    return [KeyPublic(**row.model_dump()) for row in list_keys(services.engine)]


@router.delete("/keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_staff_key(key_id: str, services: ServicesDep, _: AdminDep) -> None:
    """Revoke a staff key; calls with it fail with 401 from now on."""
    if not revoke_key(services.engine, key_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no live key with id {key_id}")
