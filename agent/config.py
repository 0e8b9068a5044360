"""Settings of the conversational agent: which engine, its limits, and what the bot says first."""

from __future__ import annotations

import os
from typing import Any, Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class AgentSettings(BaseSettings):
    """Agent settings read from `BATON_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="BATON_", extra="ignore")

    # Engine choice: "offline" (deterministic, no network) or any OpenAI-compatible server.
    llm: Literal["offline", "openai"] = "offline"
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    turn_timeout_s: float = 20
    max_retries: int = 2

    # Conversation limits and retrieval.
    max_message_chars: int = 4000
    retrieval_k: int = 6
    # Below this retrieval score (fused, as returned by KnowledgeBase.search) a passage
    # is not considered relevant; tuned on the demo content by evals/conversations.py.
    relevance_threshold: float = 0.0
    # Below this cosine similarity between the question and a sentence, the sentence
    # is not used in an answer; tuned on the demo content.
    sentence_threshold: float = 0.38
    history_turns: int = 12

    company_name: str = "Relaypoint"
    greeting: str = (
        "Hi! I'm the {company} assistant. Ask me anything about our product, pricing "
        "or security — and if you tell me a bit about what you're working on, I can "
        "point you to the right people."
    )

    @model_validator(mode="before")
    @classmethod
    def _fall_back_to_plain_openai_key(cls, data: Any) -> Any:
        # The OpenAI SDK convention is OPENAI_API_KEY; accept it when BATON_'s is unset.
        if isinstance(data, dict) and not data.get("openai_api_key"):
            plain = os.environ.get("OPENAI_API_KEY")
            if plain and not os.environ.get("BATON_OPENAI_API_KEY"):
                data = {**data, "openai_api_key": plain}
        return data

    def greeting_text(self) -> str:
        """Return the greeting with the company name filled in."""
        return self.greeting.format(company=self.company_name)
