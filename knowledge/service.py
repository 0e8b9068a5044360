"""The knowledge base: ingest documents, keep SQL and Chroma in step, search them."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from core.clock import utcnow
from core.config import CoreSettings
from knowledge import records
from knowledge.config import KnowledgeSettings
from knowledge.embeddings import Embedder, make_embedder
from knowledge.exceptions import DocumentTooLarge, EmptyDocument, IngestError
from knowledge.models import (
    Chunk,
    Document,
    DocumentDetail,
    DocumentPage,
    DocumentSummary,
    IngestReport,
    IngestResult,
    SearchHit,
    chunk_id,
)
from knowledge.retrieval import HybridRetriever
from knowledge.vectorstore import VectorStore, connect_chroma

# Called with a stage name ("vectors_written", "sql_pending", "sql_committed") during a
# write; tests use it to crash or fail at the exact point they want to prove safe.
StageHook = Callable[[str], None]
_MAX_SOURCE = 2048
_ATTEMPTS = 3


@dataclass(frozen=True)
class ReconcileReport:
    """What a reconcile pass repaired."""

    removed: int
    restored: int


def content_hash(
    data: bytes, *, title: str | None, tags: list[str] | None, content_type: str | None
) -> str:
    """Hash what determines a document's stored form: its bytes and the caller's overrides."""
    extra = json.dumps([title, sorted(tags or []), content_type], ensure_ascii=False)
    return hashlib.sha256(data + b"\0" + extra.encode()).hexdigest()


def clean_tags(tags: list[str] | None) -> list[str]:
    """Strip tags, drop empty ones and duplicates, keep their order."""
    return list(dict.fromkeys(t.strip() for t in tags or [] if t and t.strip()))


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
        source = _check_source(source)
        if len(data) > self.settings.max_document_bytes:
            raise DocumentTooLarge(
                source, f"{len(data)} bytes exceeds the limit of {self.settings.max_document_bytes}"
            )
        tags = clean_tags(tags)
        title = title.strip() if title and title.strip() else None
        digest = content_hash(data, title=title, tags=tags, content_type=content_type)
        for attempt in range(_ATTEMPTS):
            existing = records.find_by_source(self.engine, source)
            if existing is not None and existing.content_hash == digest:
                return _result(existing, "unchanged")
            try:
                return self._write(
                    data, existing, source=source, filename=filename,
                    content_type=content_type, title=title, tags=tags, digest=digest,
                )  # fmt: skip
            except records.StaleVersion:
                if attempt == _ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def _write(
        self, data: bytes, existing: Document | None, *, source: str, filename: str | None,
        content_type: str | None, title: str | None, tags: list[str], digest: str,
    ) -> IngestResult:  # fmt: skip
        from knowledge.chunking import chunk_document
        from knowledge.parsing import parse_document

        parsed = parse_document(
            data, source=source, filename=filename, content_type=content_type,
            max_bytes=self.settings.max_document_bytes,
        )  # fmt: skip
        drafts = chunk_document(parsed)
        if not drafts:
            raise EmptyDocument(source, "the document has no text to index")
        doc_id = existing.id if existing else uuid.uuid4().hex
        version = existing.version + 1 if existing else 1
        now = utcnow()
        write = uuid.uuid4().hex[:8]
        doc = Document(
            id=doc_id, source=source, title=title or parsed.title or source,
            content_type=parsed.content_type, content_hash=digest, version=version,
            tags=clean_tags(tags + _parsed_tags(parsed.metadata)), meta=_jsonable(parsed.metadata),
            chunk_count=len(drafts), size_bytes=len(data), text=_original_text(data, parsed),
            created_at=existing.created_at if existing else now, updated_at=now,
        )  # fmt: skip
        chunks = [
            Chunk(id=chunk_id(doc_id, version, write, d.position), document_id=doc_id,
                  version=version, position=d.position, text=d.text,
                  heading_path=list(d.heading_path))
            for d in drafts
        ]  # fmt: skip
        ids = [c.id for c in chunks]
        # Vectors first, then the SQL record, then old vectors: a crash anywhere leaves
        # only vectors SQL does not know, which search ignores and reconcile removes.
        vectors = self.embedder.embed_documents([c.text for c in chunks])
        self.store.add(
            ids, vectors, document_ids=[doc_id] * len(ids), versions=[version] * len(ids)
        )
        self._hook("vectors_written")
        try:
            records.save_version(
                self.engine, doc, chunks,
                previous_version=existing.version if existing else None,
                before_commit=lambda: self._hook("sql_pending"),
            )  # fmt: skip
        except BaseException:
            self.store.delete_ids(ids)
            raise
        self._hook("sql_committed")
        if existing is not None:
            self.store.delete_document(doc_id, below_version=version)
        return _result(doc, "updated" if existing else "created")

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


def _check_source(source: str) -> str:
    source = (source or "").strip()
    if not source:
        raise IngestError("(no source)", "a source (path or URL) is required")
    if len(source) > _MAX_SOURCE:
        raise IngestError(source[:80] + "...", f"source is longer than {_MAX_SOURCE} characters")
    return source


def _result(doc: Document, status: str) -> IngestResult:
    return IngestResult.model_validate(
        {"id": doc.id, "source": doc.source, "title": doc.title, "version": doc.version,
         "chunks": doc.chunk_count, "status": status}
    )  # fmt: skip


def _parsed_tags(metadata: dict[str, object]) -> list[str]:
    tags = metadata.get("tags")
    if isinstance(tags, str):
        return [t for t in tags.split(",")]
    if isinstance(tags, list):
        return [str(t) for t in tags]
    return []


def _jsonable(metadata: dict[str, object]) -> dict[str, object]:
    # Front matter may hold dates and other YAML types; the JSON column needs plain values.
    loaded: dict[str, object] = json.loads(json.dumps(metadata, default=str))
    return loaded


def _original_text(data: bytes, parsed: object) -> str | None:
    if getattr(parsed, "content_type", "") == "application/pdf":
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
