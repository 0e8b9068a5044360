"""Turn uploaded bytes (Markdown, MDX, HTML, plain text, PDF) into one clean ParsedDocument."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, Field

from knowledge.exceptions import DocumentTooLarge, EmptyDocument, UnsupportedFormat
from knowledge.formats.html import declared_charset, parse_html
from knowledge.formats.markdown import normalise_tags, parse_markdown
from knowledge.formats.pdf import PDF_MAGIC, parse_pdf
from knowledge.formats.plaintext import parse_plain_text
from knowledge.formats.text import decode_text, normalise_text, sniff_binary, title_from_name

SUPPORTED_EXTENSIONS: frozenset[str] = frozenset(
    {".md", ".mdx", ".markdown", ".html", ".htm", ".txt", ".pdf"}
)
_MAX_TITLE = 300


class ParsedDocument(BaseModel):
    """A document reduced to its title, Markdown-style text and metadata."""

    title: str
    text: str
    content_type: str
    metadata: dict[str, Any] = Field(default_factory=dict)


class _Format(StrEnum):
    MARKDOWN = "text/markdown"
    MDX = "text/mdx"
    HTML = "text/html"
    TEXT = "text/plain"
    PDF = "application/pdf"


_BY_CONTENT_TYPE = {
    "text/markdown": _Format.MARKDOWN,
    "text/x-markdown": _Format.MARKDOWN,
    "text/mdx": _Format.MDX,
    "text/x-mdx": _Format.MDX,
    "text/html": _Format.HTML,
    "application/xhtml+xml": _Format.HTML,
    "text/plain": _Format.TEXT,
    "application/pdf": _Format.PDF,
    "application/x-pdf": _Format.PDF,
}
# Types that say nothing about the content; the extension and the bytes decide instead.
_UNINFORMATIVE_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})
_BY_EXTENSION = {
    ".md": _Format.MARKDOWN,
    ".markdown": _Format.MARKDOWN,
    ".mdx": _Format.MDX,
    ".html": _Format.HTML,
    ".htm": _Format.HTML,
    ".txt": _Format.TEXT,
    ".pdf": _Format.PDF,
}
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html)\b", re.I | re.S)
_MARKDOWN_HINT = re.compile(r"^(---\n|#{1,6} \S)|\n#{1,6} \S|\n```")
_CHARSET_PARAM = re.compile(r"charset\s*=\s*\"?([^\";\s]+)", re.IGNORECASE)


def parse_document(
    data: bytes,
    *,
    source: str,
    filename: str | None = None,
    content_type: str | None = None,
    max_bytes: int,
) -> ParsedDocument:
    """Parse uploaded bytes into a ParsedDocument or raise an IngestError naming the problem."""
    if len(data) > max_bytes:
        raise DocumentTooLarge(
            source, f"the file is {_human_size(len(data))}; the limit is {_human_size(max_bytes)}"
        )
    if not data.strip():
        raise EmptyDocument(source, "the file is empty" if not data else "the file is blank")
    fmt = _detect_format(data, source=source, filename=filename, content_type=content_type)
    if fmt is _Format.PDF:
        title, text, metadata = parse_pdf(data, source=source)
    else:
        declared = _CHARSET_PARAM.search(content_type or "")
        raw = decode_text(
            data,
            source=source,
            charset=declared.group(1) if declared else None,
            fallback_charset=declared_charset(data) if fmt is _Format.HTML else None,
        )
        title, text, metadata = _parse_text_format(fmt, normalise_text(raw), source)
    text = normalise_text(text)
    if not text.strip():
        raise EmptyDocument(source, _empty_reason(fmt))
    if "tags" in metadata:
        metadata["tags"] = normalise_tags(metadata["tags"])
    name = filename or urlsplit(source).path or source
    title = " ".join(normalise_text(title).split())[:_MAX_TITLE]
    return ParsedDocument(
        title=title or title_from_name(name) or source[:_MAX_TITLE] or "Untitled",
        text=text,
        content_type=_Format.MARKDOWN.value if fmt is _Format.MDX else fmt.value,
        metadata=metadata,
    )


def _parse_text_format(fmt: _Format, text: str, source: str) -> tuple[str, str, dict[str, Any]]:
    if fmt is _Format.HTML:
        return parse_html(text)
    if fmt in (_Format.MARKDOWN, _Format.MDX):
        return parse_markdown(text, source=source, mdx=fmt is _Format.MDX)
    title, text = parse_plain_text(text)
    return title, text, {}


def _detect_format(
    data: bytes, *, source: str, filename: str | None, content_type: str | None
) -> _Format:
    """Decide the format: PDF signature, declared type, extension, then the bytes."""
    if data.startswith(PDF_MAGIC):
        # Clients often send PDFs as octet-stream or with a wrong type; the signature is
        # unambiguous, and reading a PDF as text would only produce garbage.
        return _Format.PDF
    kind = sniff_binary(data)
    if kind is not None:
        raise UnsupportedFormat(source, f"this is {kind}, not a text document or PDF")
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type not in _UNINFORMATIVE_TYPES:
        fmt = _BY_CONTENT_TYPE.get(media_type)
        if fmt is None:
            raise UnsupportedFormat(
                source, f"content type {media_type!r} is not supported; use one of {_TYPES}"
            )
        return fmt
    if filename:
        suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
        if suffix:
            fmt = _BY_EXTENSION.get(suffix)
            if fmt is None:
                raise UnsupportedFormat(
                    source, f"{suffix!r} files are not supported; use one of {_EXTENSIONS}"
                )
            return fmt
    # A source path or URL only helps when its suffix is one we know: "/docs/v1.2" is not
    # a ".2" file.
    source_suffix = PurePosixPath(urlsplit(source).path).suffix.lower()
    if source_suffix in _BY_EXTENSION:
        return _BY_EXTENSION[source_suffix]
    return _sniff_text_format(data)


def _sniff_text_format(data: bytes) -> _Format:
    head = data[:4096]
    if _HTML_START.match(head.lstrip(b"\xef\xbb\xbf")):
        return _Format.HTML
    if _MARKDOWN_HINT.search(head.decode("utf-8", "ignore").replace("\r\n", "\n")):
        return _Format.MARKDOWN
    return _Format.TEXT


def _empty_reason(fmt: _Format) -> str:
    if fmt is _Format.PDF:
        return "the PDF has no text layer (a scan or images only); run OCR on it first"
    if fmt is _Format.HTML:
        return "the page has no readable text once navigation, scripts and forms are removed"
    return "the document has no readable text"


def _human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB ({size} bytes)"
    return f"{size / (1024 * 1024):.1f} MB ({size} bytes)"


_TYPES = ", ".join(sorted(_BY_CONTENT_TYPE))
_EXTENSIONS = ", ".join(sorted(SUPPORTED_EXTENSIONS))
