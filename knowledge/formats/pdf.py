"""Read PDF text page by page with pypdf."""

from __future__ import annotations

import io
import warnings
from typing import Any

import pypdf
from pypdf.errors import PyPdfError

from knowledge.exceptions import CorruptDocument

PDF_MAGIC = b"%PDF-"


def parse_pdf(data: bytes, *, source: str) -> tuple[str, str, dict[str, Any]]:
    """Return (title or "", text with pages separated by blank lines, metadata)."""
    if PDF_MAGIC not in data[:1024]:
        raise CorruptDocument(source, "this is not a PDF: the %PDF- header is missing")
    try:
        with warnings.catch_warnings():
            # pypdf reports recoverable oddities of real-world files as warnings; the
            # outcome that matters (text or an error) is checked below.
            warnings.simplefilter("ignore")
            reader = pypdf.PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not _open_without_password(reader):
                raise CorruptDocument(source, "the PDF is encrypted and needs a password")
            pages = [_page_text(page) for page in reader.pages]
            metadata = _read_info(reader)
    except CorruptDocument:
        raise
    except Exception as exc:
        # On damaged files pypdf raises its own errors but also ValueError, KeyError,
        # AssertionError, NotImplementedError (bad filter names), RecursionError...
        # Whatever it is, the file cannot be read, and the uploader must hear why.
        detail = str(exc) or type(exc).__name__
        raise CorruptDocument(source, f"the PDF is damaged or truncated ({detail})") from None
    if not pages:
        raise CorruptDocument(source, "the PDF has no pages")
    metadata["pages"] = len(pages)
    title = str(metadata.get("title") or "")
    return title, "\n\n".join(p for p in pages if p.strip()), metadata


def _open_without_password(reader: pypdf.PdfReader) -> bool:
    """Try the empty user password, which many 'protected' PDFs use; report success."""
    try:
        return bool(reader.decrypt(""))
    except (PyPdfError, NotImplementedError):
        # DependencyError (no AES backend) and unsupported handlers land here.
        return False


def _page_text(page: pypdf.PageObject) -> str:
    text = page.extract_text() or ""
    return "\n".join(line.strip() for line in text.splitlines())


def _read_info(reader: pypdf.PdfReader) -> dict[str, Any]:
    info = reader.metadata
    metadata: dict[str, Any] = {}
    if info is None:
        return metadata
    for key, name in (("/Title", "title"), ("/Author", "author"), ("/Subject", "description")):
        value = info.get(key)
        if value:
            text = " ".join(str(value).split())
            if text:
                metadata[name] = text
    keywords = info.get("/Keywords")
    if keywords:
        words = str(keywords).replace(";", ",").split(",")
        metadata["tags"] = [word.strip() for word in words if word.strip()]
    return metadata
