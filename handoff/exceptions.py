"""Errors of the handoff domain; the API maps them to 404, 409 and 422."""

from __future__ import annotations


class HandoffError(Exception):
    """Base of handoff errors; the message is safe to show to the caller."""


class NotFoundError(HandoffError):
    """A handoff, webhook endpoint or delivery does not exist."""


class InvalidTransitionError(HandoffError):
    """A status change the handoff lifecycle does not allow."""


class ConflictError(HandoffError):
    """An operation that conflicts with the current state of a resource."""


class UnsafeURLError(HandoffError):
    """A webhook URL that is malformed or points somewhere webhooks must not go."""


class RoutingConfigError(HandoffError):
    """The routing file is missing or invalid."""


class SummaryMismatchError(HandoffError):
    """A summary states figures that the qualification state does not hold."""
