"""Staff API keys: created once, stored only as a hash, listable and revocable."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import datetime
from typing import Literal

from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, select

from core.clock import utcnow

Role = Literal["admin", "marketer", "sales"]
ROLES: tuple[Role, ...] = ("admin", "marketer", "sales")
KEY_PREFIX = "bk_"


class StaffKey(SQLModel, table=True):
    """A staff key; the secret itself is never stored."""

    __tablename__ = "staff_keys"

    id: str = Field(default_factory=lambda: uuid.uuid4().hex, primary_key=True)
    name: str = Field(max_length=200)
    role: str = Field(max_length=20)
    key_hash: str = Field(index=True, unique=True, max_length=64)
    prefix: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None


class Principal(SQLModel):
    """Who is calling: a staff key's name and role."""

    key_id: str
    name: str
    role: Role


def hash_key(key: str) -> str:
    """Hash a key for storage and lookup (keys are random, so no salt is needed)."""
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(engine: Engine, *, name: str, role: Role) -> tuple[StaffKey, str]:
    """Create a key and return its row and the secret, which is shown only once."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if not name.strip():
        raise ValueError("name must not be empty")
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    row = StaffKey(name=name.strip(), role=role, key_hash=hash_key(secret), prefix=secret[:10])
    with Session(engine, expire_on_commit=False) as session:
        session.add(row)
        session.commit()
    return row, secret


def list_keys(engine: Engine) -> list[StaffKey]:
    """List every key, revoked ones included, oldest first."""
    with Session(engine) as session:
        return list(session.exec(select(StaffKey).order_by(col(StaffKey.created_at))).all())


def revoke_key(engine: Engine, key_id: str) -> bool:
    """Revoke a key by id; return False when no live key has that id."""
    with Session(engine) as session:
        row = session.get(StaffKey, key_id)
        if row is None or row.revoked_at is not None:
            return False
        row.revoked_at = utcnow()
        session.add(row)
        session.commit()
        return True


def authenticate(engine: Engine, presented: str, admin_key: str | None) -> Principal | None:
    """Return the principal behind a presented key, or None when it is unknown or revoked."""
    if admin_key and hmac.compare_digest(presented.encode(), admin_key.encode()):
        return Principal(key_id="bootstrap", name="bootstrap admin", role="admin")
    with Session(engine) as session:
        row = session.exec(select(StaffKey).where(StaffKey.key_hash == hash_key(presented))).first()
    if row is None or row.revoked_at is not None:
        return None
    return Principal(key_id=row.id, name=row.name, role=row.role)  # type: ignore[arg-type]
