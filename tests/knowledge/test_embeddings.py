"""Embedders: the weights are verified, and a store built by another embedder is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.app import Services
from knowledge.config import KnowledgeSettings
from knowledge.embeddings import MiniLMEmbedder, load_minilm, make_embedder, verify_weights
from knowledge.exceptions import EmbedderMismatch, KnowledgeError, ModelIntegrityError
from knowledge.service import open_knowledge_base
from tests.knowledge.conftest import TinyEmbedder, make_services


def test_packaged_weights_pass_and_tampered_weights_are_refused(tmp_path: Path) -> None:
    embedder = load_minilm()
    assert embedder.dimensions == len(embedder.embed_query("hello")) == 384
    fake = tmp_path / "model"
    fake.mkdir()
    (fake / "model.safetensors").write_bytes(b"not the real weights")
    with pytest.raises(ModelIntegrityError, match="SHA-256"):
        verify_weights(fake)
    with pytest.raises(ModelIntegrityError, match="reinstall"):
        MiniLMEmbedder(model_dir=fake)
    with pytest.raises(ModelIntegrityError, match="not found"):
        verify_weights(tmp_path / "nowhere")


def test_openai_embeddings_need_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("BATON_OPENAI_API_KEY", raising=False)
    with pytest.raises(KnowledgeError, match="OPENAI_API_KEY"):
        make_embedder(KnowledgeSettings(embeddings="openai"))
    made = make_embedder(KnowledgeSettings(embeddings="openai", openai_api_key="sk-test",
                                           openai_embedding_dimensions=256))  # fmt: skip
    assert (made.name, made.dimensions) == ("openai:text-embedding-3-small", 256)


def _tiny_store(tmp_path: Path) -> Services:
    services = make_services(tmp_path / "data")
    tiny = open_knowledge_base(services.settings, services.engine, embedder=TinyEmbedder())
    tiny.ingest_bytes(b"# Hello\n\nA tiny document.", source="hello.md")
    return services


def test_a_store_built_by_another_embedder_is_refused_until_reindexed(tmp_path: Path) -> None:
    services = _tiny_store(tmp_path)
    with pytest.raises(EmbedderMismatch) as caught:
        open_knowledge_base(services.settings, services.engine)
    message = str(caught.value)
    assert "test:tiny-hash" in message and "all-MiniLM-L6-v2" in message
    assert "baton reindex" in message

    rebuilt = open_knowledge_base(services.settings, services.engine, check_embedder=False)
    assert rebuilt.reindex() >= 1
    reopened = open_knowledge_base(services.settings, services.engine)
    assert reopened.search("tiny document", k=1)[0].source == "hello.md"


def test_the_api_explains_an_embedder_mismatch(tmp_path: Path) -> None:
    from tests.conftest import LiveServer

    services = _tiny_store(tmp_path)
    server = LiveServer(services).start()
    try:
        with server.client() as admin:
            resp = admin.get("/v1/knowledge/search", params={"q": "tiny"})
            assert resp.status_code == 503 and "baton reindex" in resp.json()["detail"]
            assert admin.post("/v1/knowledge/reindex").json()["chunks"] >= 1
            hits = admin.get("/v1/knowledge/search", params={"q": "tiny"}).json()["results"]
            assert hits[0]["source"] == "hello.md"
    finally:
        server.stop()


def test_openai_embeddings_build_a_store_that_minilm_then_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.fakes.openai_server import FakeOpenAI

    services = make_services(tmp_path / "data")
    with FakeOpenAI() as fake:
        monkeypatch.setenv("BATON_EMBEDDINGS", "openai")
        monkeypatch.setenv("BATON_OPENAI_API_KEY", "sk-test")
        monkeypatch.setenv("BATON_OPENAI_BASE_URL", fake.url)
        monkeypatch.setenv("BATON_OPENAI_EMBEDDING_DIMENSIONS", "64")
        remote = open_knowledge_base(services.settings, services.engine)
        remote.ingest_bytes(b"# Plans\n\nThe Kestrel plan has 12 seats.", source="plans.md")
        assert remote.search("Kestrel plan seats", k=1)[0].source == "plans.md"
        assert any(r.path == "/v1/embeddings" for r in fake.requests)
    for name in ("BATON_EMBEDDINGS", "BATON_OPENAI_EMBEDDING_DIMENSIONS"):
        monkeypatch.delenv(name)
    with pytest.raises(EmbedderMismatch, match="openai:text-embedding-3-small"):
        open_knowledge_base(services.settings, services.engine)
