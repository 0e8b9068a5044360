"""Knowledge tables and schemas (the knowledge helper extends this file)."""

from __future__ import annotations

from pydantic import BaseModel


class SearchHit(BaseModel):
    """One retrieved chunk, best first in a result list."""

    chunk_id: str
    document_id: str
    source: str
    title: str
    text: str
    heading_path: list[str] = []
    score: float
