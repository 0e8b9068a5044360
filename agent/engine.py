"""The engine interface: one turn in, a grounded answer and the visitor's facts out.

Two implementations: `agent.offline.OfflineEngine` (default, deterministic) and
`agent.llm.OpenAIEngine` (any OpenAI-compatible server; falls back to offline).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Protocol

from pydantic import BaseModel

from agent.models import ChatTurn, EngineReply
from core.qualification import Qualification
from knowledge.models import SearchHit


class TurnContext(BaseModel):
    """Everything an engine may use to answer one visitor message."""

    question: str
    message_id: str
    history: list[ChatTurn]
    passages: list[SearchHit]
    current: Qualification
    today: date
    # The field the previous assistant message asked about, for extraction (None if none).
    asked: str | None = None


class StreamReset(BaseModel):
    """Streamed text so far is void (the model failed mid-answer); a fallback answer follows."""

    reason: str


class Engine(Protocol):
    """Answers a visitor's message from passages and extracts BANT facts from it."""

    name: str

    def reply(self, ctx: TurnContext) -> EngineReply:
        """Answer one turn."""
        ...

    def stream(self, ctx: TurnContext) -> Iterator[str | StreamReset | EngineReply]:
        """Yield the answer's text pieces as they come, then the final EngineReply.

        A StreamReset means the pieces yielded so far must be discarded by the client.
        """
        ...
