"""Knowledge routes: marketers load, list, read, delete and search documents."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Message

from api.deps import MarketerDep, ServicesDep
from knowledge.config import KnowledgeSettings
from knowledge.exceptions import EmbedderMismatch, IngestError, KnowledgeError
from knowledge.models import DocumentDetail, DocumentPage, IngestResult
from knowledge.records import StaleVersion
from knowledge.service import KnowledgeBase

router = APIRouter(prefix="/v1/knowledge", tags=["knowledge"])

# Room for JSON escaping and multipart framing around a document at the size limit.
_ENVELOPE = 1 << 20


class DocumentIn(BaseModel):
    """A document submitted as JSON text."""

    source: str = Field(min_length=1, max_length=2048, description="Path or URL naming it")
    title: str | None = Field(default=None, max_length=500)
    text: str = Field(description="The document's content in the given format")
    content_type: Literal["text/markdown", "text/html", "text/plain"] = "text/markdown"
    tags: list[Annotated[str, Field(max_length=100)]] = Field(default=[], max_length=50)


class SearchResult(BaseModel):
    """One retrieved passage."""

    document_id: str
    source: str
    title: str
    text: str
    score: float
    chunk_id: str
    heading_path: list[str]


class SearchResults(BaseModel):
    """Passages best first."""

    results: list[SearchResult]


class ReindexResult(BaseModel):
    """How many chunks were re-embedded."""

    chunks: int


@dataclass
class _Upload:
    data: bytes
    source: str
    filename: str | None
    content_type: str | None
    title: str | None
    tags: list[str]


def _knowledge(services: ServicesDep) -> KnowledgeBase:
    # A sync dependency, so opening the store and loading the model run in the threadpool.
    try:
        return services.knowledge
    except KnowledgeError as exc:  # wrong embedder for the store, bad weights, missing key
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from exc


KnowledgeDep = Annotated[KnowledgeBase, Depends(_knowledge)]


async def _read_upload(request: Request) -> _Upload:
    """Read a JSON or multipart submission without ever holding more than the limit."""
    limit = KnowledgeSettings().max_document_bytes
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw_limit = (2 * limit if ctype == "application/json" else limit) + _ENVELOPE
    body = await _read_body(request, raw_limit, limit)
    if ctype == "application/json":
        return _json_upload(body)
    if ctype == "multipart/form-data":
        return await _multipart_upload(request, body)
    raise HTTPException(
        status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
        f"unsupported request type {ctype or '(none)'!r}: send application/json "
        "or multipart/form-data with a 'file' field",
    )


async def _read_body(request: Request, raw_limit: int, limit: int) -> bytes:
    too_large = HTTPException(
        status.HTTP_413_CONTENT_TOO_LARGE, f"the document exceeds the limit of {limit} bytes"
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > raw_limit:
        raise too_large
    parts: list[bytes] = []
    size = 0
    async for piece in request.stream():
        size += len(piece)
        if size > raw_limit:
            raise too_large
        parts.append(piece)
    return b"".join(parts)


def _json_upload(body: bytes) -> _Upload:
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, f"the body is not valid JSON: {exc}"
        ) from exc
    try:
        doc = DocumentIn.model_validate(payload)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from exc
    return _Upload(
        doc.text.encode("utf-8"), doc.source, None, doc.content_type, doc.title, doc.tags
    )


async def _multipart_upload(request: Request, body: bytes) -> _Upload:
    async def replay() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(request.scope, replay).form(max_files=1, max_fields=50)
    except StarletteHTTPException as exc:  # Starlette's own verdict on broken framing
        raise HTTPException(exc.status_code, f"malformed multipart body: {exc.detail}") from exc
    except Exception as exc:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, f"malformed multipart body: {exc}"
        ) from exc
    try:
        return await _upload_from_form(form)
    finally:
        await form.close()  # the spooled upload file would otherwise linger until GC


async def _upload_from_form(form: FormData) -> _Upload:
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise _missing("file", "a multipart upload needs a 'file' field holding the document")
    source = _form_text(form.get("source")) or (upload.filename or "").strip()
    if not source:
        raise _missing("source", "give a 'source' field: the upload has no file name")
    tags = [t.strip() for v in form.getlist("tags") + form.getlist("tag")
            for t in _form_text(v).split(",") if t.strip()]  # fmt: skip
    declared = upload.content_type
    return _Upload(
        data=await upload.read(),
        source=source,
        filename=upload.filename,
        content_type=None if declared == "application/octet-stream" else declared,
        title=_form_text(form.get("title")) or None,
        tags=tags,
    )


def _form_text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _missing(field: str, message: str) -> RequestValidationError:
    return RequestValidationError([{"loc": ("body", field), "msg": message, "type": "missing"}])


_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": DocumentIn.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "source": {"type": "string", "description": "defaults to the file name"},
                        "title": {"type": "string"},
                        "tags": {"type": "string", "description": "comma-separated"},
                    },
                }
            },
        },
    }
}


@router.post(
    "/documents",
    status_code=status.HTTP_201_CREATED,
    response_model=IngestResult,
    openapi_extra=_UPLOAD_BODY,
    responses={200: {"description": "Unchanged: the same content was already stored"}},
)
def ingest_document(
    _who: MarketerDep,
    upload: Annotated[_Upload, Depends(_read_upload)],
    kb: KnowledgeDep,
    response: Response,
) -> IngestResult:
    """Add or update a document, as JSON text or a multipart file upload.

    Documents are identified by `source`: 201 when created or changed (a new version),
    200 when the content is unchanged. Markdown, MDX, HTML, plain text and PDF are read.
    """
    try:
        result = kb.ingest_bytes(
            upload.data, source=upload.source, filename=upload.filename,
            content_type=upload.content_type, title=upload.title, tags=upload.tags,
        )  # fmt: skip
    except IngestError as exc:
        raise HTTPException(exc.status_code, f"{exc.source}: {exc.reason}") from exc
    except StaleVersion as exc:
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"{upload.source}: changed concurrently; retry"
        ) from exc
    if result.status == "unchanged":
        response.status_code = status.HTTP_200_OK
    return result


@router.get("/documents", response_model=DocumentPage)
def list_documents(
    _who: MarketerDep,
    kb: KnowledgeDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=4096)] = None,
) -> DocumentPage:
    """List documents ordered by source; pass `next_cursor` back as `cursor` for the next page."""
    try:
        return kb.list_documents(limit, cursor)
    except ValueError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from exc


@router.get("/documents/{document_id}", response_model=DocumentDetail)
def get_document(_who: MarketerDep, kb: KnowledgeDep, document_id: str) -> DocumentDetail:
    """Return one document: its metadata, version, chunk count and editable text if stored."""
    doc = kb.get_document(document_id)
    if doc is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no document with id {document_id!r}")
    return doc


@router.delete("/documents/{document_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_document(_who: MarketerDep, kb: KnowledgeDep, document_id: str) -> Response:
    """Delete a document and every passage of it."""
    if not kb.delete_document(document_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no document with id {document_id!r}")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/search", response_model=SearchResults)
def search(
    _who: MarketerDep,
    kb: KnowledgeDep,
    q: Annotated[str, Query(min_length=1, max_length=2000, description="The question")],
    k: Annotated[int, Query(ge=1, le=50)] = 5,
    tag: Annotated[list[str] | None, Query(description="Only documents with any tag")] = None,
    source_prefix: Annotated[str | None, Query(max_length=2048)] = None,
) -> SearchResults:
    """Retrieve the passages that best answer a question (keyword and meaning), best first."""
    if not q.strip():
        raise RequestValidationError(
            [
                {
                    "loc": ("query", "q"),
                    "msg": "the question must not be blank",
                    "type": "value_error",
                }
            ]
        )
    hits = kb.search(q, k, tags=tag, source_prefix=source_prefix)
    return SearchResults(results=[SearchResult.model_validate(h.model_dump()) for h in hits])


@router.post("/reindex", response_model=ReindexResult)
def reindex(_who: MarketerDep, services: ServicesDep) -> ReindexResult:
    """Rebuild every vector from the stored documents with the configured embedder."""
    from knowledge.service import open_knowledge_base

    try:
        kb = services.knowledge
    except EmbedderMismatch:  # re-indexing is how a mismatch is repaired
        kb = open_knowledge_base(services.settings, services.engine, check_embedder=False)
    return ReindexResult(chunks=kb.reindex())
