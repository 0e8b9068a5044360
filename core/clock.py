"""The clock as a seam: code asks `Clock.now()` so tests can fix time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current time in UTC."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """Return the current UTC time."""
        return datetime.now(UTC)


class FixedClock:
    """A clock for tests that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        """Return the fixed time."""
        return self._now

    def advance(self, **kwargs: float) -> None:
        """Move the clock forward by a `timedelta(**kwargs)`."""
        self._now += timedelta(**kwargs)


def utcnow() -> datetime:
    """Return the current UTC time (for column defaults)."""
    return datetime.now(UTC)
