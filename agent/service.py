"""The conversational agent's operations, as the API and the CLI call them."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine as Database

from agent import conversations as store
from agent.config import AgentSettings
from agent.engine import Engine, StreamReset
from agent.exceptions import ConversationNotFound, InvalidVisitorToken
from agent.models import Conversation, Message, QualificationEvent
from agent.offline import OfflineEngine
from agent.turn import (
    Retriever,
    TurnResult,
    TurnRuntime,
    accept_message,
    run_turn,
    stream_turn,
)
from core.clock import Clock
from core.config import CoreSettings
from core.db import session_scope
from core.qualification import Qualification

if TYPE_CHECKING:
    from agent.llm_summary import LLMSummarizer
    from knowledge.service import KnowledgeBase

log = logging.getLogger("baton.agent")

_MAX_META_KEYS = 50


@dataclass(frozen=True)
class NewConversation:
    """A conversation just opened: the visitor token is shown only here."""

    id: str
    visitor_token: str
    greeting: str


class Agent:
    """Holds conversations: opens them, runs their turns, reports their state."""

    def __init__(
        self,
        *,
        db: Database,
        kb: Retriever,
        engine: Engine,
        clock: Clock,
        settings: AgentSettings,
        summarize: bool = False,
    ) -> None:
        self.db = db
        self.engine = engine
        self.clock = clock
        self.settings = settings
        # Model-written handoff summaries run off the critical path of the turn.
        self._summaries = ThreadPoolExecutor(max_workers=1) if summarize else None
        self._summarizer: LLMSummarizer | None = None
        self.runtime = TurnRuntime(
            db=db,
            kb=kb,
            engine=engine,
            clock=clock,
            settings=settings,
            on_handoff=self._summarize_later if summarize else None,
        )

    def create_conversation(
        self, *, metadata: dict[str, Any] | None = None, site_key: str | None = None
    ) -> NewConversation:
        """Open a conversation, store its greeting and return the visitor's token."""
        token = store.new_visitor_token()
        now = self.clock.now()
        greeting = self.settings.greeting_text()
        meta = dict(list((metadata or {}).items())[:_MAX_META_KEYS])
        with session_scope(self.db) as session:
            conversation = Conversation(
                visitor_token_hash=store.hash_token(token),
                site_key=site_key,
                meta=meta,
                qualification=Qualification().model_dump(mode="json"),
                created_at=now,
                updated_at=now,
            )
            session.add(conversation)
            session.flush()
            store.add_message(
                session, conversation.id, role="assistant", text=greeting, created_at=now
            )
            conversation_id = conversation.id
        return NewConversation(conversation_id, token, greeting)

    def authorize_visitor(self, conversation_id: str, token: str | None) -> None:
        """Check that a visitor token opens this conversation (401 unknown, 404 another one)."""
        if not token:
            raise InvalidVisitorToken("missing visitor token: send 'Authorization: Bearer <token>'")
        with session_scope(self.db) as session:
            owned = store.find_by_token(session, token)
        if owned is None:
            raise InvalidVisitorToken("invalid visitor token")
        if owned.id != conversation_id:
            # Do not tell a visitor whether another conversation exists.
            raise ConversationNotFound(f"no conversation {conversation_id}")

    def is_visitor_token(self, token: str) -> bool:
        """Tell whether a bearer token is some conversation's visitor token."""
        with session_scope(self.db) as session:
            return store.find_by_token(session, token) is not None

    def post_message(self, conversation_id: str, text: object) -> TurnResult:
        """Store a visitor message, then compute, store and return the reply."""
        accepted = accept_message(self.runtime, conversation_id, text)
        return run_turn(self.runtime, accepted)

    def stream_message(
        self, conversation_id: str, text: object
    ) -> Iterator[str | StreamReset | TurnResult]:
        """Store a visitor message now, and return the stream of its reply."""
        accepted = accept_message(self.runtime, conversation_id, text)
        return stream_turn(self.runtime, accepted)

    def get_conversation(self, conversation_id: str) -> Conversation:
        """Return a conversation or raise ConversationNotFound."""
        with session_scope(self.db) as session:
            conversation = store.get_conversation(session, conversation_id)
        if conversation is None:
            raise ConversationNotFound(f"no conversation {conversation_id}")
        return conversation

    def get_transcript(self, conversation_id: str) -> list[Message]:
        """Return a conversation's messages in order."""
        self.get_conversation(conversation_id)
        with session_scope(self.db) as session:
            return store.list_messages(session, conversation_id)

    def get_qualification(self, conversation_id: str) -> Qualification:
        """Return a conversation's current qualification state."""
        return store.load_qualification(self.get_conversation(conversation_id))

    def get_history(self, conversation_id: str) -> list[QualificationEvent]:
        """Return every qualification change of a conversation, with its evidence."""
        self.get_conversation(conversation_id)
        with session_scope(self.db) as session:
            return store.list_events(session, conversation_id)

    def close(self) -> None:
        """Wait for pending background summaries."""
        if self._summaries is not None:
            self._summaries.shutdown(wait=True)

    def _summarize_later(self, handoff_id: str) -> None:
        if self._summaries is not None:
            self._summaries.submit(self._summarize, handoff_id)

    def _summarize(self, handoff_id: str) -> None:
        """Replace a handoff's template summary with a model-written one, when the model agrees."""
        try:
            from agent.llm_summary import LLMSummarizer
            from handoff import service as handoff_service

            payload = _handoff_payload(self.db, handoff_id)
            if payload is None:
                return
            if self._summarizer is None:
                # One client for every handoff: building it per call re-creates the HTTP pool.
                self._summarizer = LLMSummarizer(self.settings)
            summary = self._summarizer.summarize(payload)
            if summary:
                handoff_service.set_summary(self.db, handoff_id, summary)
        except Exception:
            # The template summary stays; a rep still gets every figure.
            log.exception("model summary failed for handoff %s", handoff_id)


def _handoff_payload(db: Database, handoff_id: str) -> dict[str, Any] | None:
    """Return the handoff as the summarizer reads it."""
    from handoff.models import Handoff

    with session_scope(db) as session:
        handoff = session.get(Handoff, handoff_id)
        return None if handoff is None else handoff.model_dump(mode="json")


def build_agent(settings: CoreSettings, engine: Database, kb: KnowledgeBase, clock: Clock) -> Agent:
    """Build the agent with the engine the settings choose (offline unless BATON_LLM=openai)."""
    agent_settings = AgentSettings()
    offline = OfflineEngine(
        kb.embedder,
        sentence_threshold=agent_settings.sentence_threshold,
        relevance_threshold=agent_settings.relevance_threshold,
        company=agent_settings.company_name,
    )
    chosen: Engine
    match agent_settings.llm:
        case "openai":
            from agent.llm import OpenAIEngine

            chosen = OpenAIEngine(agent_settings, fallback=offline)
        case _:
            chosen = offline
    return Agent(
        db=engine,
        kb=kb,
        engine=chosen,
        clock=clock,
        settings=agent_settings,
        summarize=agent_settings.llm == "openai",
    )
