"""Prompt templates are versioned data, and the code that fills them agrees with them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from pydantic import SecretStr

from agent.config import AgentSettings
from agent.engine import TurnContext
from agent.llm import OpenAIEngine
from agent.llm_summary import LLMSummarizer
from agent.offline import OfflineEngine
from agent.prompts import PromptError, available_prompts, load_prompt
from core.qualification import Qualification
from knowledge.embeddings import load_minilm
from knowledge.models import SearchHit

SETTINGS = AgentSettings(
    llm="openai", openai_api_key=SecretStr("sk-test"), openai_base_url="http://127.0.0.1:9/v1"
)


def _render_turn_system() -> str:
    engine = OpenAIEngine(SETTINGS, fallback=OfflineEngine(load_minilm()))
    hit = SearchHit(chunk_id="c", document_id="d", source="s.md", title="T", text="x", score=1)
    ctx = TurnContext(question="Hi?", message_id="m", history=[], passages=[hit],
                      current=Qualification(), today=date(2026, 1, 5))  # fmt: skip
    return str(engine.messages(ctx)[0].content)


def _render_handoff_summary() -> str:
    payload = {
        "qualification": Qualification().model_dump(mode="json"),
        "contact": {"email": "a@b.co"},
        "transcript": [{"role": "visitor", "text": "hello", "at": "2026-01-05T10:00:00Z"}],
        "cited_sources": [{"document_id": "d", "source": "s.md", "title": "T"}],
    }
    return str(LLMSummarizer(SETTINGS).messages(payload)[0].content)


# Every template, with the code path that fills it in production.
RENDERERS: dict[str, Callable[[], str]] = {
    "turn_system": _render_turn_system,
    "handoff_summary": _render_handoff_summary,
}


def test_every_template_has_a_renderer() -> None:
    assert set(available_prompts()) == set(RENDERERS)


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_the_code_fills_every_placeholder_of_its_template(name: str) -> None:
    prompt = load_prompt(name)
    assert prompt.name == name
    assert prompt.version
    assert prompt.placeholders
    rendered = RENDERERS[name]()
    # render() refuses missing or unknown values, so rendering at all proves agreement;
    # no placeholder is left behind either.
    for placeholder in prompt.placeholders:
        assert "{" + placeholder + "}" not in rendered


def test_render_refuses_missing_and_unknown_values() -> None:
    prompt = load_prompt("handoff_summary")
    values = dict.fromkeys(prompt.placeholders, "x")
    assert "x" in prompt.render(**values)
    with pytest.raises(PromptError, match=r"missing \['company'\]"):
        prompt.render(**{k: v for k, v in values.items() if k != "company"})
    with pytest.raises(PromptError, match=r"unknown \['extra'\]"):
        prompt.render(**values, extra="y")


def test_the_version_is_recorded_as_name_at_version() -> None:
    prompt = load_prompt("turn_system")
    assert prompt.label == f"turn_system@{prompt.version}"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("---\nname: p\n---\nHello", "needs a version"),
        ("---\nname: other\nversion: 1\n---\nHello", "differs from file name"),
        ("---\nname: p\nversion: 1\n---\nHello {who", "bad braces"),
        ("---\nname: p\nversion: 1\n---\nHello {who.name}", "plain name"),
    ],
)
def test_a_malformed_template_is_refused_with_the_reason(
    tmp_path: Path, text: str, error: str
) -> None:
    (tmp_path / "p.md").write_text(text)
    with pytest.raises(PromptError, match=error):
        load_prompt("p", tmp_path)


def test_a_missing_template_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(PromptError, match="not found"):
        load_prompt("nope", tmp_path)


def test_literal_braces_survive_rendering(tmp_path: Path) -> None:
    (tmp_path / "p.md").write_text(
        '---\nname: p\nversion: "2"\n---\nJSON like {{"a": 1}} for {who}'
    )
    prompt = load_prompt("p", tmp_path)
    assert prompt.placeholders == {"who"}
    assert prompt.render(who="you") == 'JSON like {"a": 1} for you\n'
