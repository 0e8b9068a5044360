"""Handoff settings: routing file, webhook safety and dispatcher timing (`BATON_*`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_ROUTING_FILE = Path(__file__).resolve().parent / "default_routing.yaml"


class HandoffSettings(BaseSettings):
    """Settings of the handoff domain, read from `BATON_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="BATON_", extra="ignore")

    routing_file: Path | None = None
    # Where the staff console is served; Slack messages link to its handoff page.
    public_url: str = "http://127.0.0.1:8000"
    # Loopback targets are refused unless enabled (development and tests only).
    webhook_allow_loopback: bool = False
    # Private networks (10/8, 192.168/16, fc00::/7...) for on-premises receivers.
    webhook_allow_private: bool = False
    webhook_timeout_seconds: float = 15.0
    # How long the previous secret keeps signing after a rotation.
    webhook_rotation_hours: float = 24.0
    dispatcher_poll_seconds: float = 0.5
    dispatcher_workers: int = 4
    dispatcher_batch: int = 10
    # A claim outlives the request timeout, so a live sender never loses its claim;
    # a crashed sender's claim expires and another dispatcher resumes the delivery.
    dispatcher_lease_seconds: float = 60.0

    @model_validator(mode="after")
    def _check_lease(self) -> HandoffSettings:
        if self.dispatcher_lease_seconds <= self.webhook_timeout_seconds:
            raise ValueError(
                "BATON_DISPATCHER_LEASE_SECONDS must exceed BATON_WEBHOOK_TIMEOUT_SECONDS, "
                "or a slow delivery could be claimed and sent twice at once"
            )
        if self.dispatcher_workers < 1 or self.dispatcher_batch < 1:
            raise ValueError("BATON_DISPATCHER_WORKERS and BATON_DISPATCHER_BATCH must be >= 1")
        return self

    def resolved_routing_file(self) -> Path:
        """Return the routing file in use: the configured one or the bundled default."""
        return self.routing_file or DEFAULT_ROUTING_FILE
