"""Chunk vectors in Chroma (embedded or a server), always with embeddings we computed."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from knowledge.exceptions import EmbedderMismatch

COLLECTION = "baton_chunks"
_ADD_BATCH = 200
_GET_PAGE = 5000
REINDEX_HINT = "run `baton reindex` to rebuild the vectors with the configured embedder"


@dataclass(frozen=True)
class VectorHit:
    """A vector-store match: the chunk id and its cosine similarity to the query."""

    id: str
    similarity: float


def connect_chroma(*, data_dir: Path, chroma_url: str | None) -> Any:
    """Return a Chroma client: a server when a URL is given, else a store in the data dir."""
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if chroma_url:
        url = urlparse(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
        ssl = url.scheme == "https"
        port = url.port or (443 if ssl else 8000)
        return chromadb.HttpClient(
            host=url.hostname or "localhost", port=port, ssl=ssl, settings=settings
        )
    path = data_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


class VectorStore:
    """One Chroma collection in cosine space, stamped with the embedder that built it."""

    def __init__(
        self, client: Any, *, embedder_name: str, dimensions: int, check: bool = True
    ) -> None:
        self._client = client
        self._stamp = {"embedder": embedder_name, "dimensions": dimensions}
        self._collection = self._open(check=check)

    def _open(self, *, check: bool) -> Any:
        # embedding_function=None: Chroma must never fetch its default model; we embed.
        collection = self._client.get_or_create_collection(
            COLLECTION,
            configuration={"hnsw": {"space": "cosine"}},
            metadata=dict(self._stamp),
            embedding_function=None,
        )
        if check:
            found = collection.metadata or {}
            built = (found.get("embedder"), found.get("dimensions"))
            if built != (self._stamp["embedder"], self._stamp["dimensions"]):
                raise EmbedderMismatch(
                    f"the vector store was built by embedder {built[0]!r} ({built[1]} dims) "
                    f"but {self._stamp['embedder']!r} ({self._stamp['dimensions']} dims) "
                    f"is configured; {REINDEX_HINT}"
                )
        return collection

    def recreate(self) -> None:
        """Drop every vector and start an empty collection stamped with our embedder."""
        # Chroma raises NotFoundError (its class varies by version) when absent.
        with contextlib.suppress(Exception):
            self._client.delete_collection(COLLECTION)
        self._collection = self._open(check=False)

    def add(
        self,
        ids: Sequence[str],
        vectors: Sequence[Sequence[float]],
        *,
        document_ids: Sequence[str],
        versions: Sequence[int],
    ) -> None:
        """Write vectors in batches (upsert, so a retried write after a crash is harmless)."""
        written_at = time.time()
        for start in range(0, len(ids), _ADD_BATCH):
            end = start + _ADD_BATCH
            self._collection.upsert(
                ids=list(ids[start:end]),
                embeddings=[list(v) for v in vectors[start:end]],
                metadatas=[
                    {"document_id": d, "version": v, "written_at": written_at}
                    for d, v in zip(document_ids[start:end], versions[start:end], strict=True)
                ],
            )

    def query(
        self, vector: Sequence[float], n: int, *, document_ids: list[str] | None = None
    ) -> list[VectorHit]:
        """Return the n nearest chunks, optionally only from some documents."""
        where = {"document_id": {"$in": document_ids}} if document_ids is not None else None
        found = self._collection.query(
            query_embeddings=[list(vector)], n_results=n, where=where, include=["distances"]
        )
        ids, distances = found["ids"][0], (found["distances"] or [[]])[0]
        return [VectorHit(i, 1.0 - float(d)) for i, d in zip(ids, distances, strict=True)]

    def delete_ids(self, ids: Sequence[str]) -> None:
        """Delete vectors by id (unknown ids are ignored)."""
        for start in range(0, len(ids), _GET_PAGE):
            self._collection.delete(ids=list(ids[start : start + _GET_PAGE]))

    def delete_document(self, document_id: str, *, below_version: int | None = None) -> None:
        """Delete a document's vectors, or only those older than a version."""
        where: dict[str, Any] = {"document_id": document_id}
        if below_version is not None:
            where = {"$and": [where, {"version": {"$lt": below_version}}]}
        self._collection.delete(where=where)

    def written_at(self) -> dict[str, float]:
        """Return every stored id with the time its vector was written."""
        out: dict[str, float] = {}
        offset = 0
        while True:
            page = self._collection.get(include=["metadatas"], limit=_GET_PAGE, offset=offset)
            for i, meta in zip(page["ids"], page["metadatas"] or [], strict=True):
                out[i] = float((meta or {}).get("written_at", 0.0))
            if len(page["ids"]) < _GET_PAGE:
                return out
            offset += _GET_PAGE

    def count(self) -> int:
        """Return how many vectors are stored."""
        return int(self._collection.count())
