"""Errors of the conversational agent; the API maps each to one HTTP status."""

from __future__ import annotations


class AgentError(Exception):
    """Base class of the agent's expected errors."""


class InvalidMessage(AgentError):
    """The visitor's message cannot be accepted (empty or whitespace only)."""


class MessageTooLong(AgentError):
    """The visitor's message is longer than the configured limit."""

    def __init__(self, length: int, limit: int) -> None:
        super().__init__(f"message is {length} characters long; the limit is {limit} characters")
        self.length = length
        self.limit = limit


class ConversationNotFound(AgentError):
    """No conversation with this id (or not one the caller may open)."""


class InvalidVisitorToken(AgentError):
    """The visitor token is missing or matches no conversation."""
