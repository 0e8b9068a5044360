"""Hybrid retrieval: dense (Chroma) and lexical (BM25) candidates over SQL's chunks, fused."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy.engine import Engine

from knowledge import records
from knowledge.config import FusionParams
from knowledge.embeddings import Embedder
from knowledge.lexical import LexicalIndex
from knowledge.models import Chunk, Document, SearchHit
from knowledge.vectorstore import VectorStore


@dataclass
class _Corpus:
    """The searchable state for one generation of the SQL record."""

    generation: int
    documents: dict[str, Document]
    chunks: list[Chunk]
    row_of: dict[str, int]
    doc_rows: dict[str, list[int]]
    lexical: LexicalIndex

    @classmethod
    def load(cls, engine: Engine) -> _Corpus:
        snap = records.load_snapshot(engine)
        doc_rows: dict[str, list[int]] = {}
        for row, chunk in enumerate(snap.chunks):
            doc_rows.setdefault(chunk.document_id, []).append(row)
        return cls(
            generation=snap.generation,
            documents=snap.documents,
            chunks=snap.chunks,
            row_of={c.id: row for row, c in enumerate(snap.chunks)},
            doc_rows=doc_rows,
            lexical=LexicalIndex([c.text for c in snap.chunks]),
        )

    def matching_documents(self, tags: list[str] | None, source_prefix: str | None) -> list[str]:
        wanted = {t.strip().lower() for t in tags or [] if t.strip()}
        return [
            doc.id
            for doc in self.documents.values()
            if (not wanted or wanted & {t.lower() for t in doc.tags})
            and (not source_prefix or doc.source.startswith(source_prefix))
        ]


@dataclass
class Candidates:
    """Ranked candidate rows from each retriever, best first, with their raw scores."""

    dense: list[tuple[int, float]] = field(default_factory=list)
    lexical: list[tuple[int, float]] = field(default_factory=list)


def fuse(cands: Candidates, params: FusionParams, k: int) -> list[tuple[int, float]]:
    """Fuse dense and lexical rankings into the k best rows with comparable scores."""
    scores: dict[int, float] = {}
    if params.method == "rrf":
        for weight, ranked in (
            (params.dense_weight, cands.dense),
            (params.lexical_weight, cands.lexical),
        ):
            if weight == 0:
                continue
            for rank, (row, _raw) in enumerate(ranked, start=1):
                scores[row] = scores.get(row, 0.0) + weight / (params.rrf_k + rank)
    else:
        # Cosine similarity is already on a fixed scale; BM25 is scaled by the best match.
        top_lex = max((s for _r, s in cands.lexical), default=0.0) or 1.0
        for row, sim in cands.dense if params.dense_weight else []:
            scores[row] = scores.get(row, 0.0) + params.dense_weight * max(sim, 0.0)
        for row, raw in cands.lexical if params.lexical_weight else []:
            scores[row] = scores.get(row, 0.0) + params.lexical_weight * raw / top_lex
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:k]


class HybridRetriever:
    """Searches the current chunks; rebuilds its lexical index when the record moves."""

    def __init__(
        self, engine: Engine, store: VectorStore, embedder: Embedder, params: FusionParams
    ) -> None:
        self._engine = engine
        self._store = store
        self._embedder = embedder
        self.params = params
        self._corpus: _Corpus | None = None
        self._lock = threading.Lock()

    def _current(self) -> _Corpus:
        generation = records.read_generation(self._engine)
        corpus = self._corpus
        if corpus is not None and corpus.generation == generation:
            return corpus
        with self._lock:
            corpus = self._corpus
            if corpus is None or corpus.generation != generation:
                corpus = _Corpus.load(self._engine)
                self._corpus = corpus
            return corpus

    def candidates(
        self,
        query: str,
        *,
        tags: list[str] | None = None,
        source_prefix: str | None = None,
        at_least: int = 0,
    ) -> tuple[_Corpus, Candidates]:
        """Return the dense and lexical candidates for a query, after filters."""
        corpus = self._current()
        if not corpus.chunks:
            return corpus, Candidates()
        filtered = bool(tags) or bool(source_prefix)
        doc_ids = corpus.matching_documents(tags, source_prefix) if filtered else None
        if doc_ids is not None and not doc_ids:
            return corpus, Candidates()
        n = min(max(self.params.candidates, at_least), len(corpus.chunks))
        out = Candidates()
        vector = self._embedder.embed_query(query)
        for hit in self._store.query(vector, n, document_ids=doc_ids):
            row = corpus.row_of.get(hit.id)
            if row is not None:  # vectors of versions SQL does not hold are never returned
                out.dense.append((row, hit.similarity))
        scores = corpus.lexical.scores(query)
        if doc_ids is not None:
            mask = np.zeros(len(scores), dtype=bool)
            for doc_id in doc_ids:
                mask[corpus.doc_rows.get(doc_id, [])] = True
            scores = np.where(mask, scores, 0.0)
        top = np.argpartition(-scores, n - 1)[:n] if n < len(scores) else np.arange(len(scores))
        ranked = sorted((int(r) for r in top if scores[r] > 0), key=lambda r: (-scores[r], r))
        out.lexical = [(r, float(scores[r])) for r in ranked]
        return corpus, out

    def search(
        self,
        query: str,
        k: int = 5,
        *,
        tags: list[str] | None = None,
        source_prefix: str | None = None,
        params: FusionParams | None = None,
    ) -> list[SearchHit]:
        """Return the k best chunks for a query, best first."""
        corpus, cands = self.candidates(query, tags=tags, source_prefix=source_prefix, at_least=k)
        return hits_for(corpus, fuse(cands, params or self.params, k))


def hits_for(corpus: _Corpus, ranked: list[tuple[int, float]]) -> list[SearchHit]:
    """Turn fused (row, score) pairs into search hits with their document's title and source."""
    hits: list[SearchHit] = []
    for row, score in ranked:
        chunk = corpus.chunks[row]
        doc = corpus.documents[chunk.document_id]
        hits.append(
            SearchHit(
                chunk_id=chunk.id,
                document_id=doc.id,
                source=doc.source,
                title=doc.title,
                text=chunk.text,
                heading_path=list(chunk.heading_path),
                score=round(score, 6),
            )
        )
    return hits
