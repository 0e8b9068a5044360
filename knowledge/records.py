"""SQL access for documents and chunks: the record the vector store is checked against."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import delete, func, update
from sqlalchemy import select as sql_select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.db import session_scope
from knowledge.models import Chunk, Document, KnowledgeGeneration

_BATCH = 500


class StaleVersion(Exception):
    """Another writer changed the document between our read and our commit."""


@dataclass(frozen=True)
class CorpusSnapshot:
    """Every current document and chunk, as of one generation of the record."""

    generation: int
    documents: dict[str, Document]
    chunks: list[Chunk]


def ensure_generation_row(engine: Engine) -> None:
    """Create the change-generation row if it is missing."""
    with Session(engine) as session:
        if session.get(KnowledgeGeneration, 1) is not None:
            return
        session.add(KnowledgeGeneration(id=1, generation=0))
        try:
            session.commit()
        except IntegrityError:  # another process created it first
            session.rollback()


def read_generation(engine: Engine) -> int:
    """Return the change generation (a single-row read, cheap enough for every search)."""
    # A raw pooled connection: no SQLAlchemy transaction, so SQLite takes no write lock
    # (the engine's BEGIN IMMEDIATE hook is for writers) and searches never queue on one.
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SELECT generation FROM knowledge_generation WHERE id = 1")
        row = cursor.fetchone()
        cursor.close()
    finally:
        raw.close()
    return int(row[0]) if row else 0


def _bump_generation(session: Session) -> None:
    session.execute(
        update(KnowledgeGeneration)
        .where(col(KnowledgeGeneration.id) == 1)
        .values(generation=KnowledgeGeneration.generation + 1)
    )


def find_by_source(engine: Engine, source: str) -> Document | None:
    """Return the document stored under a source, if any."""
    with Session(engine, expire_on_commit=False) as session:
        return session.exec(select(Document).where(col(Document.source) == source)).first()


def get_document(engine: Engine, document_id: str) -> Document | None:
    """Return a document by id."""
    with Session(engine, expire_on_commit=False) as session:
        return session.get(Document, document_id)


@dataclass(frozen=True)
class StoredVersion:
    """What the unchanged-content check needs to know about a stored document."""

    id: str
    source: str
    title: str
    version: int
    chunk_count: int
    content_hash: str


def stored_versions(engine: Engine, sources: Iterable[str]) -> dict[str, StoredVersion]:
    """Return the stored version of each known source, looked up in batches."""
    wanted = list(dict.fromkeys(sources))
    found: dict[str, StoredVersion] = {}
    columns = (
        col(Document.id),
        col(Document.source),
        col(Document.title),
        col(Document.version),
        col(Document.chunk_count),
        col(Document.content_hash),
    )
    with engine.connect() as conn:
        for start in range(0, len(wanted), _BATCH):
            batch = wanted[start : start + _BATCH]
            for row in conn.execute(sql_select(*columns).where(col(Document.source).in_(batch))):
                found[row[1]] = StoredVersion(*row)
    return found


def save_version(
    engine: Engine,
    doc: Document,
    chunks: list[Chunk],
    *,
    previous_version: int | None,
    before_commit: Callable[[], None] | None = None,
) -> None:
    """Store a document's new version and its chunks in one transaction.

    `previous_version` is the version the caller read (None for a new document);
    if another writer moved it meanwhile, nothing is written and StaleVersion is raised.
    """
    try:
        with session_scope(engine) as session:
            if previous_version is None:
                session.add(doc)
                session.flush()
            else:
                moved = session.execute(
                    update(Document)
                    .where(col(Document.id) == doc.id, col(Document.version) == previous_version)
                    .values(
                        title=doc.title,
                        content_type=doc.content_type,
                        tags=doc.tags,
                        meta=doc.meta,
                        content_hash=doc.content_hash,
                        version=doc.version,
                        chunk_count=doc.chunk_count,
                        size_bytes=doc.size_bytes,
                        text=doc.text,
                        updated_at=doc.updated_at,
                    )
                )
                if moved.rowcount != 1:  # type: ignore[attr-defined]
                    raise StaleVersion(doc.source)
                session.execute(delete(Chunk).where(col(Chunk.document_id) == doc.id))
            session.add_all(chunks)
            _bump_generation(session)
            session.flush()
            if before_commit is not None:
                before_commit()
    except IntegrityError as exc:
        if previous_version is None:  # the same source was created concurrently
            raise StaleVersion(doc.source) from exc
        raise


def delete_document(engine: Engine, document_id: str) -> bool:
    """Delete a document and its chunks; return False when it does not exist."""
    with session_scope(engine) as session:
        session.execute(delete(Chunk).where(col(Chunk.document_id) == document_id))
        gone = session.execute(delete(Document).where(col(Document.id) == document_id))
        if gone.rowcount == 0:  # type: ignore[attr-defined]
            return False
        _bump_generation(session)
        return True


def load_snapshot(engine: Engine) -> CorpusSnapshot:
    """Read the generation, documents and chunks in one transaction, so they agree."""
    with Session(engine, expire_on_commit=False) as session:
        row = session.get(KnowledgeGeneration, 1)
        documents = {d.id: d for d in session.exec(select(Document))}
        chunks = list(
            session.exec(select(Chunk).order_by(col(Chunk.document_id), col(Chunk.position)))
        )
        return CorpusSnapshot(row.generation if row else 0, documents, chunks)


def chunks_by_ids(engine: Engine, ids: list[str]) -> list[Chunk]:
    """Return the chunks with the given ids, in batches."""
    out: list[Chunk] = []
    with Session(engine, expire_on_commit=False) as session:
        for start in range(0, len(ids), _BATCH):
            batch = ids[start : start + _BATCH]
            out.extend(session.exec(select(Chunk).where(col(Chunk.id).in_(batch))))
    return out


def current_chunk_ids(engine: Engine) -> set[str]:
    """Return the id of every chunk of every current document version."""
    with engine.connect() as conn:
        return {row[0] for row in conn.execute(select(col(Chunk.id)))}


def iter_chunks(engine: Engine, batch: int = _BATCH) -> Iterator[list[Chunk]]:
    """Yield every current chunk in batches (for re-indexing)."""
    last = ""
    while True:
        with Session(engine, expire_on_commit=False) as session:
            rows = list(
                session.exec(
                    select(Chunk).where(col(Chunk.id) > last).order_by(col(Chunk.id)).limit(batch)
                )
            )
        if not rows:
            return
        yield rows
        last = rows[-1].id


def count_documents(engine: Engine) -> int:
    """Return how many documents are stored."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Document)).scalar_one())


def list_documents(
    engine: Engine, limit: int, cursor: str | None
) -> tuple[list[Document], str | None]:
    """Return one page of documents ordered by source, and the cursor of the next page."""
    after = decode_cursor(cursor) if cursor else None
    stmt = select(Document).order_by(col(Document.source)).limit(limit + 1)
    if after is not None:
        stmt = stmt.where(col(Document.source) > after)
    with Session(engine, expire_on_commit=False) as session:
        rows = list(session.exec(stmt))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode_cursor(rows[-1].source) if more and rows else None)


def encode_cursor(source: str) -> str:
    """Turn the last source of a page into an opaque cursor."""
    return base64.urlsafe_b64encode(source.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    """Read a cursor back; raise ValueError when it is not one of ours."""
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"invalid cursor {cursor!r}") from exc
