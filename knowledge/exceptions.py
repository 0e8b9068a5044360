"""Errors of the knowledge domain; each names the file or setting at fault."""

from __future__ import annotations


class KnowledgeError(Exception):
    """Base class for knowledge errors."""


class IngestError(KnowledgeError):
    """A document could not be ingested; `source` and `reason` say which and why."""

    status_code = 400

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class EmptyDocument(IngestError):
    """The document has no readable text."""


class UnsupportedFormat(IngestError):
    """The document's format is not one Baton reads (binary, unknown extension)."""

    status_code = 415


class DocumentTooLarge(IngestError):
    """The document exceeds the configured size limit."""

    status_code = 413


class UndecodableDocument(IngestError):
    """The bytes are not valid text in any encoding we accept."""


class CorruptDocument(IngestError):
    """The file claims a format (e.g. PDF) but cannot be parsed as it."""


class EmbedderMismatch(KnowledgeError):
    """The vector collection was built by another embedder than the configured one."""


class ModelIntegrityError(KnowledgeError):
    """The packaged embedding weights do not match the expected SHA-256."""
