"""Webhook dispatcher (placeholder until the handoff domain lands)."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from core.clock import Clock
from core.config import CoreSettings


class Dispatcher:
    """Delivers outbox events to webhook endpoints."""

    def start(self) -> None:
        """Start delivering in the background."""

    def stop(self) -> None:
        """Stop delivering."""


def build_dispatcher(settings: CoreSettings, engine: Engine, clock: Clock) -> Dispatcher:
    """Build the dispatcher for the app."""
    return Dispatcher()
