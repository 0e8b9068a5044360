"""Assign each new handoff to a rep: round-robin, or by a field with a default group."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, model_validator
from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from handoff.exceptions import RoutingConfigError
from handoff.models import RoutingCounter


class Route(BaseModel):
    """One group of reps and the values (or numeric range) of the field it takes."""

    match: list[str] = Field(default_factory=list)
    min: float | None = None
    max: float | None = None
    reps: list[str] = Field(min_length=1)

    def accepts(self, value: Any) -> bool:
        """Tell whether a field value falls in this route."""
        if value is None:
            return False
        if self.match and str(value).strip().lower() in {m.lower() for m in self.match}:
            return True
        if self.min is None and self.max is None:
            return False
        try:
            number = float(value)
        except (TypeError, ValueError):
            return False
        return (self.min is None or number >= self.min) and (self.max is None or number <= self.max)


class RoutingConfig(BaseModel):
    """The routing file's contents."""

    strategy: Literal["round_robin", "by_field"] = "round_robin"
    reps: list[str] = Field(default_factory=list)
    field: str | None = None
    routes: list[Route] = Field(default_factory=list)
    default: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> RoutingConfig:
        if self.strategy == "round_robin" and not self.reps:
            raise ValueError("round_robin needs a non-empty `reps` list")
        if self.strategy == "by_field" and not self.field:
            raise ValueError("by_field needs `field` (e.g. qualification.budget.currency)")
        return self


def load_routing(path: Path) -> RoutingConfig:
    """Load and validate a routing file (cached until the file changes)."""
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as exc:
        raise RoutingConfigError(f"routing file {path} cannot be read: {exc}") from None
    return _load_cached(path, mtime)


@lru_cache(maxsize=8)
def _load_cached(path: Path, _mtime: int) -> RoutingConfig:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return RoutingConfig.model_validate(raw)
    except (yaml.YAMLError, ValidationError) as exc:
        raise RoutingConfigError(f"routing file {path} is invalid: {exc}") from None


def assign_rep(session: Session, config: RoutingConfig, handoff: dict[str, Any]) -> str | None:
    """Pick the rep for a handoff (its public JSON), advancing the shared round-robin counter."""
    if config.strategy == "round_robin":
        return _next_in(session, "round_robin", config.reps)
    value = _lookup(handoff, config.field or "")
    for index, route in enumerate(config.routes):
        if route.accepts(value):
            return _next_in(session, f"{config.field}#{index}", route.reps)
    return _next_in(session, f"{config.field}#default", config.default) if config.default else None


def _lookup(data: dict[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _next_in(session: Session, name: str, reps: list[str]) -> str:
    # An atomic increment in the caller's transaction: PostgreSQL locks the row until
    # commit and SQLite holds its write lock, so two handoffs never read the same turn.
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.exec(insert(RoutingCounter).values(name=name, value=0).on_conflict_do_nothing())
    turn: int = session.exec(
        update(RoutingCounter)
        .where(col(RoutingCounter.name) == name)
        .values(value=col(RoutingCounter.value) + 1)
        .returning(col(RoutingCounter.value))
    ).scalar_one()
    return reps[(turn - 1) % len(reps)]
