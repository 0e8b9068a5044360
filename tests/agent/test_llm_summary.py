"""The model-written handoff summary: kept only when every figure matches the state."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr

from agent.config import AgentSettings
from agent.llm_summary import LLMSummarizer, figure_problem
from core.qualification import Authority, Budget, Contact, Need, Qualification, Timeline
from tests.fakes.openai_server import Failure, FakeOpenAI, Hang, text

STATE = Qualification(
    budget=Budget(status="allocated", amount=12000, currency="USD", period="annual",
                  evidence="$12k a year"),
    authority=Authority(status="decision_maker", role="CMO", evidence="I'm the CMO"),
    need=Need(status="identified", summary="Route support tickets automatically."),
    timeline=Timeline(status="stated", within_days=42, evidence="in 6 weeks"),
    contact=Contact(email="jane@acme.com", name="Jane Doe", company="Acme 360",
                    phone="+14155550100"),
    score=85,
    stage="sql",
)  # fmt: skip
PAYLOAD: dict[str, Any] = {
    "qualification": STATE.model_dump(mode="json"),
    "contact": STATE.contact.model_dump(mode="json"),
    "transcript": [
        {"role": "visitor", "text": "We have $12k a year, I'm the CMO.", "at": "2026-11-23"},
        {"role": "assistant", "text": "Thanks! When do you want to be live?", "at": "2026-11-23"},
    ],
    "cited_sources": [{"document_id": "d1", "source": "soc2.md", "title": "SOC 2 report"}],
}
GOOD = (
    "Jane Doe, CMO at Acme 360, wants to route support tickets automatically. "
    "Budget: $12k per year, allocated; live within 42 days. She read the SOC 2 report "
    "and was promised a follow-up by e-mail."
)


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


def summarizer(fake: FakeOpenAI, timeout: float = 10) -> LLMSummarizer:
    settings = AgentSettings(
        llm="openai",
        openai_api_key=SecretStr("sk-test"),
        openai_base_url=fake.url,
        turn_timeout_s=timeout,
        max_retries=0,
    )
    return LLMSummarizer(settings)


def test_a_summary_whose_figures_match_is_kept(fake: FakeOpenAI) -> None:
    fake.push(text(GOOD))
    assert summarizer(fake).summarize(PAYLOAD) == GOOD

    (request,) = fake.chat_requests()
    prompt = request.messages[0]["content"]
    assert '"within_days": 42' in prompt
    assert "We have $12k a year" in prompt
    # The rep's note is about facts; the internal score and stage are not sent.
    assert '"score"' not in prompt and '"stage"' not in prompt


@pytest.mark.parametrize(
    "summary",
    [
        GOOD.replace("$12k", "$15k"),  # another amount
        GOOD.replace("$12k", "€12k"),  # another currency sign
        GOOD.replace("$12k per year", "12,000 EUR per year"),  # another currency code
        GOOD.replace("42 days", "30 days"),  # another number of days
        GOOD.replace("per year", "per month"),  # another period
        GOOD + " They have a 20-person team.",  # a figure the visitor never gave
        GOOD.replace("$12k", "12 thousand dollars").replace("12 thousand", "13 thousand"),
    ],
)
def test_a_summary_with_a_wrong_figure_is_refused(fake: FakeOpenAI, summary: str) -> None:
    fake.push(text(summary))
    assert summarizer(fake).summarize(PAYLOAD) is None


@pytest.mark.parametrize(
    "summary",
    [
        GOOD.replace("$12k", "12,000 USD"),
        GOOD.replace("$12k", "12000 dollars"),
        GOOD.replace("$12k per year", "USD 12,000 annually"),
    ],
)
def test_the_same_figures_in_other_words_are_kept(fake: FakeOpenAI, summary: str) -> None:
    fake.push(text(summary))
    assert summarizer(fake).summarize(PAYLOAD) == summary


def test_figures_are_checked_against_an_empty_budget() -> None:
    empty = Qualification().model_dump(mode="json")
    assert figure_problem("A visitor asked about pricing.", empty, {}) is None
    assert figure_problem("Budget around $5k.", empty, {}) is not None


@pytest.mark.parametrize("script", [Failure(500), Failure(429, retry_after=0.01), text("  ")])
def test_a_failing_model_leaves_the_template_summary(fake: FakeOpenAI, script: Any) -> None:
    fake.default = script
    assert summarizer(fake).summarize(PAYLOAD) is None


def test_a_hanging_model_leaves_the_template_summary(fake: FakeOpenAI) -> None:
    fake.default = Hang(30)
    assert summarizer(fake, timeout=1).summarize(PAYLOAD) is None
