"""Knowledge tables (documents, chunks, change generation) and the schemas around them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import JSON, Column, DateTime, ForeignKey, String, Text
from sqlmodel import Field, SQLModel

from core.clock import utcnow


class Document(SQLModel, table=True):
    """The record of one ingested document; SQL, not Chroma, is the source of truth."""

    __tablename__ = "documents"

    id: str = Field(default_factory=lambda: uuid.uuid4().hex, primary_key=True, max_length=32)
    source: str = Field(sa_column=Column(String(2048), nullable=False, unique=True, index=True))
    title: str = Field(sa_column=Column(Text, nullable=False))
    content_type: str = Field(max_length=100)
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    meta: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column("metadata", JSON, nullable=False)
    )
    content_hash: str = Field(max_length=64)
    version: int = 1
    chunk_count: int = 0
    size_bytes: int = 0
    # The original text of text formats, so the console can edit and re-submit it.
    text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class Chunk(SQLModel, table=True):
    """One passage of a document's current version; its id is also its vector's id."""

    __tablename__ = "chunks"

    id: str = Field(primary_key=True, max_length=80)
    document_id: str = Field(
        sa_column=Column(
            String(32), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    version: int
    position: int
    text: str = Field(sa_column=Column(Text, nullable=False))
    heading_path: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class KnowledgeGeneration(SQLModel, table=True):
    """A counter bumped in the same transaction as every change, so other processes notice."""

    __tablename__ = "knowledge_generation"

    id: int = Field(default=1, primary_key=True)
    generation: int = 0


def chunk_id(document_id: str, version: int, write: str, position: int) -> str:
    """Return the id a chunk has in SQL and in the vector store.

    `write` is unique per ingestion attempt, so a writer that loses a race cleans up
    only its own vectors, never those of the writer that committed the same version.
    """
    return f"{document_id}-v{version}-{write}-{position}"


class SearchHit(BaseModel):
    """One retrieved chunk, best first in a result list."""

    chunk_id: str
    document_id: str
    source: str
    title: str
    text: str
    heading_path: list[str] = []
    score: float


IngestStatus = Literal["created", "updated", "unchanged"]


class IngestResult(BaseModel):
    """What one ingestion did."""

    id: str
    source: str
    title: str
    version: int
    chunks: int
    status: IngestStatus


class FileError(BaseModel):
    """A file of a folder ingest that failed, and why."""

    path: str
    source: str
    reason: str


class IngestReport(BaseModel):
    """The outcome of ingesting many files: what went in and what failed."""

    results: list[IngestResult] = []
    errors: list[FileError] = []

    def count(self, status: IngestStatus) -> int:
        """Count results with a given status."""
        return sum(1 for r in self.results if r.status == status)


class DocumentSummary(BaseModel):
    """A document as listed."""

    id: str
    source: str
    title: str
    content_type: str
    tags: list[str]
    version: int
    chunks: int
    size_bytes: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, doc: Document) -> DocumentSummary:
        """Describe a stored document."""
        return cls(
            id=doc.id,
            source=doc.source,
            title=doc.title,
            content_type=doc.content_type,
            tags=list(doc.tags),
            version=doc.version,
            chunks=doc.chunk_count,
            size_bytes=doc.size_bytes,
            created_at=_aware(doc.created_at),
            updated_at=_aware(doc.updated_at),
        )


class DocumentDetail(DocumentSummary):
    """A document with its metadata and, for text formats, its editable original text."""

    metadata: dict[str, Any]
    text: str | None

    @classmethod
    def of(cls, doc: Document) -> DocumentDetail:
        """Describe a stored document in full."""
        base = DocumentSummary.of(doc).model_dump()
        return cls(**base, metadata=dict(doc.meta), text=doc.text)


class DocumentPage(BaseModel):
    """One page of the document list."""

    items: list[DocumentSummary]
    next_cursor: str | None


def _aware(moment: datetime) -> datetime:
    # SQLite hands timestamps back without a zone; they were written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
