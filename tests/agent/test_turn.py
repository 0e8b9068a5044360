"""One turn end to end in-process: stored before computed, failures answered, both databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from agent.config import AgentSettings
from agent.engine import Engine, StreamReset, TurnContext
from agent.exceptions import ConversationNotFound, InvalidMessage, MessageTooLong
from agent.models import EngineReply, Message, QualificationEvent
from agent.offline import OfflineEngine
from agent.service import Agent
from agent.turn import FALLBACK_TEXT, TurnResult, validate_text
from api.app import Services
from core.clock import FixedClock
from core.config import CoreSettings

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


class BrokenEngine:
    """An engine that fails, after noting whether the visitor's message was already committed."""

    name = "broken"

    def __init__(self, services: Services) -> None:
        self.services = services
        self.seen_committed: list[bool] = []

    def _check(self, ctx: TurnContext) -> None:
        # A separate session sees only committed rows.
        with Session(self.services.engine) as session:
            self.seen_committed.append(session.get(Message, ctx.message_id) is not None)

    def reply(self, ctx: TurnContext) -> EngineReply:
        """Fail after the check."""
        self._check(ctx)
        raise RuntimeError("model exploded")

    def stream(self, ctx: TurnContext) -> Iterator[str | StreamReset | EngineReply]:
        """Yield a little, then fail."""
        self._check(ctx)
        yield "The answer "
        yield "is "
        raise RuntimeError("connection reset mid-answer")


def make_agent(services: Services, engine: Engine) -> Agent:
    """An agent around the given engine."""
    return Agent(
        db=services.engine,
        kb=services.knowledge,
        engine=engine,
        clock=services.clock,
        settings=AgentSettings(),
    )


@pytest.fixture
def fixed_services(tmp_path: Path) -> Services:
    """Services on fresh SQLite storage with the clock fixed."""
    return Services(CoreSettings(data_dir=tmp_path / "data"), clock=FixedClock(NOW))


def test_validate_text_refuses_empty_and_overlong_text() -> None:
    assert validate_text("  hello  ", 10) == "hello"
    with pytest.raises(InvalidMessage, match="empty"):
        validate_text(" \n\t", 10)
    with pytest.raises(MessageTooLong, match="limit is 10 characters"):
        validate_text("x" * 11, 10)
    with pytest.raises(InvalidMessage, match="string"):
        validate_text(42, 10)


def test_message_is_committed_before_the_engine_runs_and_a_failure_still_answers(
    fixed_services: Services,
) -> None:
    engine = BrokenEngine(fixed_services)
    agent = make_agent(fixed_services, engine)
    created = agent.create_conversation()
    result = agent.post_message(created.id, "How much is Growth?")
    assert engine.seen_committed == [True]
    assert result.text.startswith(FALLBACK_TEXT)
    assert result.outcome == "error"
    messages = agent.get_transcript(created.id)
    assert [(m.role, m.text) for m in messages[1:]] == [
        ("visitor", "How much is Growth?"),
        ("assistant", result.text),
    ]
    assert messages[2].outcome == "error"


def test_stream_failure_resets_and_falls_back(fixed_services: Services) -> None:
    engine = BrokenEngine(fixed_services)
    agent = make_agent(fixed_services, engine)
    created = agent.create_conversation()
    items = list(agent.stream_message(created.id, "Tell me about SSO"))
    assert items[:2] == ["The answer ", "is "]
    assert isinstance(items[2], StreamReset)
    assert items[3] == FALLBACK_TEXT
    final = items[-1]
    assert isinstance(final, TurnResult)
    assert final.text.startswith(FALLBACK_TEXT)
    assert agent.get_transcript(created.id)[-1].text == final.text


def test_unknown_conversation_is_refused_before_anything_is_stored(
    fixed_services: Services,
) -> None:
    agent = make_agent(fixed_services, OfflineEngine(fixed_services.knowledge.embedder))
    with pytest.raises(ConversationNotFound):
        agent.post_message("missing", "hello")
    with Session(fixed_services.engine) as session:
        assert session.exec(select(Message)).all() == []


def test_conversation_store_works_on_sqlite_and_postgres(database_url: str, tmp_path: Path) -> None:
    settings = CoreSettings(data_dir=tmp_path / "data", database_url=database_url)
    services = Services(settings, clock=FixedClock(NOW))
    agent = services.agent
    created = agent.create_conversation(metadata={"url": "https://x.test/"}, site_key="demo")
    agent.post_message(created.id, "We need to automate lead routing")
    agent.post_message(created.id, "I'm the head of RevOps and we have 20k a year approved")
    state = agent.get_qualification(created.id)
    assert state.need.status == "identified"
    assert state.budget.status == "allocated" and state.budget.amount == 20000
    assert [m.role for m in agent.get_transcript(created.id)] == [
        "assistant",
        "visitor",
        "assistant",
        "visitor",
        "assistant",
    ]
    events = agent.get_history(created.id)
    assert {"need", "budget", "authority"} <= {e.field for e in events}
    with Session(services.engine) as session:
        stored = session.exec(
            select(QualificationEvent).where(QualificationEvent.field == "budget")
        ).one()
    assert stored.message_id is not None and "20k" in (stored.evidence or "")
    assert agent.get_conversation(created.id).meta == {"url": "https://x.test/"}
