"""The knowledge base: ingest documents, keep SQL and Chroma in step, search them."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from core.config import CoreSettings
from knowledge import drafts, records
from knowledge.config import KnowledgeSettings
from knowledge.embeddings import Embedder, make_embedder
from knowledge.exceptions import DocumentTooLarge, IngestError
from knowledge.models import (
    Chunk,
    DocumentDetail,
    DocumentPage,
    DocumentSummary,
    IngestReport,
    IngestResult,
    SearchHit,
)
from knowledge.retrieval import HybridRetriever
from knowledge.vectorstore import VectorStore, connect_chroma

# Called with a stage name ("vectors_written", "sql_pending", "sql_committed") during a
# write; tests use it to crash or fail at the exact point they want to prove safe.
StageHook = Callable[[str], None]
_ATTEMPTS = 3


@dataclass(frozen=True)
class ReconcileReport:
    """What a reconcile pass repaired."""

    removed: int
    restored: int


class KnowledgeBase:
    """Documents in SQL (the record), chunk vectors in Chroma, hybrid search over both."""

    def __init__(
        self,
        engine: Engine,
        settings: KnowledgeSettings,
        embedder: Embedder,
        store: VectorStore,
        *,
        stage_hook: StageHook | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.embedder = embedder
        self.store = store
        self.retriever = HybridRetriever(engine, store, embedder, settings.fusion)
        self._hook = stage_hook or (lambda _stage: None)
        records.ensure_generation_row(engine)

    def search(
        self,
        query: str,
        k: int = 5,
        *,
        tags: list[str] | None = None,
        source_prefix: str | None = None,
    ) -> list[SearchHit]:
        """Return the k chunks that best answer a query, best first."""
        if not query.strip() or k < 1:
            return []
        return self.retriever.search(query, k, tags=tags, source_prefix=source_prefix)

    def ingest_bytes(
        self,
        data: bytes,
        *,
        source: str,
        filename: str | None = None,
        content_type: str | None = None,
        title: str | None = None,
        tags: list[str] | None = None,
    ) -> IngestResult:
        """Ingest one document; unchanged content is a no-op, changed content a new version."""
        sub = drafts.submission(data, source=source, filename=filename,
                                content_type=content_type, title=title, tags=tags)  # fmt: skip
        self._check_size(sub)
        for attempt in range(_ATTEMPTS):
            existing = records.find_by_source(self.engine, sub.source)
            if existing is not None and existing.content_hash == sub.digest:
                return drafts.result(existing, "unchanged")
            draft = drafts.prepare(sub, existing, max_bytes=self.settings.max_document_bytes)
            try:
                return self._store(draft, self.embedder.embed_documents(_texts(draft)))
            except records.StaleVersion:
                if attempt == _ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def ingest_many(self, subs: list[drafts.Submission]) -> list[IngestResult | IngestError]:
        """Ingest several submissions with one embedding call (faster for folders).

        Returns, per submission, its result or the IngestError that refused it.
        """
        out: list[IngestResult | IngestError] = []
        ready: list[tuple[int, drafts.Submission, drafts.Draft]] = []
        for sub in subs:
            try:
                self._check_size(sub)
                existing = records.find_by_source(self.engine, sub.source)
                if existing is not None and existing.content_hash == sub.digest:
                    out.append(drafts.result(existing, "unchanged"))
                    continue
                draft = drafts.prepare(sub, existing, max_bytes=self.settings.max_document_bytes)
            except IngestError as exc:
                out.append(exc)
                continue
            except Exception as exc:  # a parser bug on one file must not stop the others
                out.append(
                    IngestError(sub.source, f"could not ingest: {type(exc).__name__}: {exc}")
                )
                continue
            ready.append((len(out), sub, draft))
            out.append(IngestError(sub.source, "not stored"))  # replaced below
        vectors = self.embedder.embed_documents([t for _i, _s, d in ready for t in _texts(d)])
        start = 0
        for index, sub, draft in ready:
            mine = vectors[start : start + len(draft.chunks)]
            start += len(draft.chunks)
            try:
                out[index] = self._store(draft, mine)
            except records.StaleVersion:  # someone else wrote it meanwhile: redo it alone
                out[index] = self.ingest_bytes(
                    sub.data, source=sub.source, filename=sub.filename,
                    content_type=sub.content_type, title=sub.title, tags=list(sub.tags),
                )  # fmt: skip
        return out

    def _check_size(self, sub: drafts.Submission) -> None:
        limit = self.settings.max_document_bytes
        if len(sub.data) > limit:
            raise DocumentTooLarge(
                sub.source, f"{len(sub.data)} bytes exceeds the limit of {limit}"
            )

    def _store(self, draft: drafts.Draft, vectors: list[list[float]]) -> IngestResult:
        doc, chunks = draft.document, draft.chunks
        ids = [c.id for c in chunks]
        # Vectors first, then the SQL record, then old vectors: a crash anywhere leaves
        # only vectors SQL does not know, which search ignores and reconcile removes.
        self.store.add(
            ids, vectors, document_ids=[doc.id] * len(ids), versions=[doc.version] * len(ids)
        )
        self._hook("vectors_written")
        try:
            records.save_version(
                self.engine, doc, chunks, previous_version=draft.previous_version,
                before_commit=lambda: self._hook("sql_pending"),
            )  # fmt: skip
        except BaseException:
            self.store.delete_ids(ids)
            raise
        self._hook("sql_committed")
        if draft.previous_version is not None:
            self.store.delete_document(doc.id, below_version=doc.version)
        return drafts.result(doc, "created" if draft.previous_version is None else "updated")

    def ingest_paths(
        self, paths: list[Path], *, progress: bool = False, base: Path | None = None
    ) -> IngestReport:
        """Ingest files and folders (recursively); one bad file never stops the rest."""
        from knowledge.folders import ingest_paths

        return ingest_paths(self, paths, progress=progress, base=base)

    def list_documents(self, limit: int = 50, cursor: str | None = None) -> DocumentPage:
        """Return one page of documents ordered by source; raise ValueError on a bad cursor."""
        rows, next_cursor = records.list_documents(self.engine, limit, cursor)
        return DocumentPage(items=[DocumentSummary.of(d) for d in rows], next_cursor=next_cursor)

    def get_document(self, document_id: str) -> DocumentDetail | None:
        """Return a document with its metadata and editable text, or None."""
        doc = records.get_document(self.engine, document_id)
        return DocumentDetail.of(doc) if doc else None

    def find_document(self, source_or_id: str) -> DocumentDetail | None:
        """Return the document with this source, or else this id."""
        doc = records.find_by_source(self.engine, source_or_id) or records.get_document(
            self.engine, source_or_id
        )
        return DocumentDetail.of(doc) if doc else None

    def delete_document(self, document_id: str) -> bool:
        """Delete a document and every chunk of it; return False when it does not exist."""
        if not records.delete_document(self.engine, document_id):
            return False
        self.store.delete_document(document_id)
        return True

    def document_count(self) -> int:
        """Return how many documents are stored."""
        return records.count_documents(self.engine)

    def reindex(self, progress: Callable[[int], None] | None = None) -> int:
        """Rebuild every vector from SQL with the configured embedder; return the chunk count."""
        self.store.recreate()
        done = 0
        for batch in records.iter_chunks(self.engine):
            self._embed_into_store(batch)
            done += len(batch)
            if progress is not None:
                progress(done)
        return done

    def reconcile(self, grace_seconds: float | None = None) -> ReconcileReport:
        """Remove vectors SQL does not hold and re-embed chunks missing from the store."""
        grace = self.settings.reconcile_grace_seconds if grace_seconds is None else grace_seconds
        current = records.current_chunk_ids(self.engine)  # read SQL first: see _write's order
        stored = self.store.written_at()
        now = time.time()
        orphans = [i for i, at in stored.items() if i not in current and now - at >= grace]
        self.store.delete_ids(orphans)
        missing = sorted(current - stored.keys())
        for start in range(0, len(missing), 500):
            self._embed_into_store(records.chunks_by_ids(self.engine, missing[start : start + 500]))
        return ReconcileReport(removed=len(orphans), restored=len(missing))

    def _embed_into_store(self, chunks: list[Chunk]) -> None:
        vectors = self.embedder.embed_documents([c.text for c in chunks])
        self.store.add(
            [c.id for c in chunks], vectors,
            document_ids=[c.document_id for c in chunks], versions=[c.version for c in chunks],
        )  # fmt: skip


def open_knowledge_base(
    settings: CoreSettings,
    engine: Engine,
    *,
    knowledge_settings: KnowledgeSettings | None = None,
    embedder: Embedder | None = None,
    check_embedder: bool = True,
    stage_hook: StageHook | None = None,
) -> KnowledgeBase:
    """Open the knowledge base and repair what a crash may have left behind.

    Raises EmbedderMismatch when the vectors were built by another embedder, unless
    `check_embedder` is False (for `baton reindex`, which rebuilds them).
    """
    ks = knowledge_settings or KnowledgeSettings()
    emb = embedder or make_embedder(ks)
    client = connect_chroma(data_dir=settings.data_dir, chroma_url=ks.chroma_url)
    store = VectorStore(client, embedder_name=emb.name, dimensions=emb.dimensions,
                        check=check_embedder)  # fmt: skip
    kb = KnowledgeBase(engine, ks, emb, store, stage_hook=stage_hook)
    if check_embedder:
        kb.reconcile()
    return kb


def _texts(draft: drafts.Draft) -> list[str]:
    return [c.text for c in draft.chunks]
