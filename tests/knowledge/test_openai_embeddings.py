"""The OpenAI-compatible embedder against the local fake server's /v1/embeddings."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import openai
import pytest

from knowledge.config import KnowledgeSettings
from knowledge.embeddings import OpenAIEmbedder, make_embedder
from tests.fakes.openai_server import Failure, FakeOpenAI


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture(autouse=True)
def _close_clients(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # OpenAIEmbedder has no close(); its OpenAI client keeps a pooled socket that, when
    # garbage-collected later, raises ResourceWarning in an unrelated test. Close them here.
    clients: list[openai.OpenAI] = []
    original = openai.OpenAI.__init__

    def tracking_init(self: openai.OpenAI, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        clients.append(self)

    monkeypatch.setattr(openai.OpenAI, "__init__", tracking_init)
    yield
    for client in clients:
        client.close()


def test_the_configured_embedder_returns_unit_vectors_of_the_models_size(
    fake: FakeOpenAI,
) -> None:
    settings = KnowledgeSettings(
        embeddings="openai", openai_api_key="sk-test", openai_base_url=fake.url
    )
    embedder = make_embedder(settings)

    vectors = embedder.embed_documents(["Pricing starts at $49 per seat.", "SOC 2 Type II"])
    query = embedder.embed_query("How much per seat?")

    assert embedder.dimensions == 1536
    assert [len(v) for v in [*vectors, query]] == [1536, 1536, 1536]
    assert all(math.isclose(math.fsum(x * x for x in v), 1.0, rel_tol=1e-5) for v in vectors)
    assert [r.path for r in fake.requests] == ["/v1/embeddings", "/v1/embeddings"]
    assert fake.requests[0].body["model"] == "text-embedding-3-small"
    assert fake.requests[0].headers["authorization"] == "Bearer sk-test"


def test_the_same_text_gets_the_same_vector(fake: FakeOpenAI) -> None:
    embedder = OpenAIEmbedder(
        model="text-embedding-3-small", api_key="k", base_url=fake.url, dimensions=1536
    )
    first, second, other = embedder.embed_documents(["same words", "same words", "other"])
    assert first == second != other


def test_the_configured_dimensions_are_requested_and_honoured(fake: FakeOpenAI) -> None:
    embedder = OpenAIEmbedder(
        model="text-embedding-3-small", api_key="k", base_url=fake.url, dimensions=256
    )
    (vector,) = embedder.embed_documents(["a shorter vector"])
    assert len(vector) == embedder.dimensions == 256


def test_an_empty_batch_makes_no_request(fake: FakeOpenAI) -> None:
    embedder = OpenAIEmbedder(model="m", api_key="k", base_url=fake.url, dimensions=1536)
    assert embedder.embed_documents([]) == []
    assert fake.requests == []


@pytest.mark.parametrize("status", [401, 500])
def test_a_failing_server_raises_an_error_naming_the_status(fake: FakeOpenAI, status: int) -> None:
    fake.embeddings_failure = Failure(status, message="embedding backend is down")
    embedder = OpenAIEmbedder(model="m", api_key="k", base_url=fake.url, dimensions=1536)
    with pytest.raises(openai.APIStatusError, match=f"{status}.*embedding backend is down"):
        embedder.embed_query("hello")
