"""Turn submitted bytes into the rows of a new document version: parse, chunk, hash, name."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from functools import cached_property

from core.clock import utcnow
from knowledge.exceptions import EmptyDocument, IngestError
from knowledge.models import Chunk, Document, IngestResult, IngestStatus, chunk_id

_MAX_SOURCE = 2048


@dataclass(frozen=True)
class Submission:
    """A document as submitted, before anything is parsed."""

    data: bytes
    source: str
    filename: str | None = None
    content_type: str | None = None
    title: str | None = None
    tags: tuple[str, ...] = ()

    @cached_property
    def digest(self) -> str:
        """Return the content hash that decides whether anything changed."""
        return content_hash(
            self.data, title=self.title, tags=list(self.tags), content_type=self.content_type
        )


@dataclass(frozen=True)
class Draft:
    """The rows of a new version, ready to embed and commit."""

    document: Document
    chunks: list[Chunk]
    previous_version: int | None


def content_hash(
    data: bytes, *, title: str | None, tags: list[str] | None, content_type: str | None
) -> str:
    """Hash what determines a document's stored form: its bytes and the caller's overrides."""
    extra = json.dumps([title, sorted(tags or []), content_type], ensure_ascii=False)
    return hashlib.sha256(data + b"\0" + extra.encode()).hexdigest()


def clean_tags(tags: list[str] | tuple[str, ...] | None) -> list[str]:
    """Strip tags, drop empty ones and duplicates, keep their order."""
    return list(dict.fromkeys(t.strip() for t in tags or [] if t and t.strip()))


def submission(
    data: bytes, *, source: str, filename: str | None = None, content_type: str | None = None,
    title: str | None = None, tags: list[str] | None = None,
) -> Submission:  # fmt: skip
    """Normalise a submission's source, title and tags (raise IngestError on a bad source)."""
    source = (source or "").strip()
    if not source:
        raise IngestError("(no source)", "a source (path or URL) is required")
    if len(source) > _MAX_SOURCE:
        raise IngestError(source[:80] + "...", f"source is longer than {_MAX_SOURCE} characters")
    clean_title = title.strip() if title and title.strip() else None
    return Submission(data, source, filename, content_type, clean_title, tuple(clean_tags(tags)))


def prepare(sub: Submission, existing: Document | None, *, max_bytes: int) -> Draft:
    """Parse and chunk a submission into the next version of its document."""
    from knowledge.chunking import chunk_document
    from knowledge.parsing import parse_document

    parsed = parse_document(
        sub.data, source=sub.source, filename=sub.filename, content_type=sub.content_type,
        max_bytes=max_bytes,
    )  # fmt: skip
    drafts = chunk_document(parsed)
    if not drafts:
        raise EmptyDocument(sub.source, "the document has no text to index")
    doc_id = existing.id if existing else uuid.uuid4().hex
    version = existing.version + 1 if existing else 1
    now = utcnow()
    doc = Document(
        id=doc_id, source=sub.source, title=sub.title or parsed.title or sub.source,
        content_type=parsed.content_type, content_hash=sub.digest, version=version,
        tags=clean_tags([*sub.tags, *_parsed_tags(parsed.metadata)]),
        meta=_jsonable(parsed.metadata), chunk_count=len(drafts), size_bytes=len(sub.data),
        text=None if parsed.content_type == "application/pdf" else _utf8(sub.data),
        created_at=existing.created_at if existing else now, updated_at=now,
    )  # fmt: skip
    write = uuid.uuid4().hex[:8]
    chunks = [
        Chunk(id=chunk_id(doc_id, version, write, d.position), document_id=doc_id,
              version=version, position=d.position, text=d.text,
              heading_path=list(d.heading_path))
        for d in drafts
    ]  # fmt: skip
    return Draft(doc, chunks, existing.version if existing else None)


def result(doc: Document, status: IngestStatus) -> IngestResult:
    """Describe what an ingestion did to a document."""
    return IngestResult(
        id=doc.id, source=doc.source, title=doc.title, version=doc.version,
        chunks=doc.chunk_count, status=status,
    )  # fmt: skip


def _parsed_tags(metadata: dict[str, object]) -> list[str]:
    tags = metadata.get("tags")
    if isinstance(tags, str):
        return tags.split(",")
    if isinstance(tags, list):
        return [str(t) for t in tags]
    return []


def _jsonable(metadata: dict[str, object]) -> dict[str, object]:
    # Front matter may hold dates and other YAML types; the JSON column needs plain values.
    loaded: dict[str, object] = json.loads(json.dumps(metadata, default=str))
    return loaded


def _utf8(data: bytes) -> str | None:
    # The original text is kept so the console can edit it; other encodings are not.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
