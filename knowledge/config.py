"""Knowledge settings: vector store location, embedder choice, size limit, fusion."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class FusionParams(BaseSettings):
    """How dense and lexical rankings are fused.

    Defaults tuned on `evals/retrieval_set.jsonl` only (`python -m evals.retrieval --tune`).
    """

    model_config = SettingsConfigDict(env_prefix="BATON_FUSION_", extra="ignore")

    method: Literal["rrf", "weighted"] = "rrf"
    # Reciprocal-rank fusion: score = w_dense/(rrf_k + rank_dense) + w_lex/(rrf_k + rank_lex).
    rrf_k: int = Field(default=10, ge=1)
    dense_weight: float = Field(default=1.5, ge=0)
    lexical_weight: float = Field(default=1.0, ge=0)
    # How many candidates each retriever contributes before fusion.
    candidates: int = Field(default=40, ge=1, le=500)


class KnowledgeSettings(BaseSettings):
    """Settings of the knowledge base, read from `BATON_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="BATON_", extra="ignore", populate_by_name=True)

    chroma_url: str | None = None
    embeddings: Literal["minilm", "openai"] = "minilm"
    openai_api_key: str | None = Field(
        default=None, validation_alias=AliasChoices("BATON_OPENAI_API_KEY", "OPENAI_API_KEY")
    )
    openai_base_url: str | None = None
    openai_embedding_model: str = "text-embedding-3-small"
    openai_embedding_dimensions: int = Field(default=1536, ge=1)
    max_document_bytes: int = Field(default=10 * 1024 * 1024, ge=1)
    # Orphan vectors younger than this may belong to an ingest still in flight in
    # another process, so the startup reconcile leaves them for a later pass.
    reconcile_grace_seconds: float = Field(default=120.0, ge=0)
    fusion: FusionParams = Field(default_factory=FusionParams)
