"""Fixtures for the knowledge tests: a knowledge base on either database, and a small corpus."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.app import Services
from core.config import CoreSettings
from knowledge.service import KnowledgeBase
from tests.conftest import ADMIN_KEY

# A small product corpus: plan names, prices and numbers for keyword search, and
# passages a paraphrase should find by meaning.
CORPUS: dict[str, str] = {
    "site/pricing.md": """---
title: Pricing
tags: [pricing, plans]
---
# Pricing

## Starter plan
The Starter plan costs $19 per user per month and includes 3 pipelines.

## Growth plan
The Growth plan costs $49 per user per month, adds the Forecast Studio add-on
and supports up to 10,000 contacts.

## Enterprise plan
Enterprise pricing is custom. It includes SAML single sign-on and a 99.95% uptime SLA.
""",
    "site/security.md": """---
title: Security
tags: [security]
---
# Security and compliance

## Certifications
We hold a SOC 2 Type II report and are ISO 27001 certified.

## Encryption
All customer data is encrypted at rest with AES-256 and in transit with TLS 1.3.
""",
    "site/onboarding.md": """# Getting started

## Setup time
Most teams finish setting up within two weeks. A customer success manager helps
you import records and connect your email.
""",
    "blog/remote-work.md": """---
tags: [blog]
---
# Working from anywhere

Our team is spread over four time zones. We write things down and meet rarely.
""",
}


class TinyEmbedder:
    """A deterministic stand-in embedder with its own name, to prove a mismatch is caught."""

    name = "test:tiny-hash"
    dimensions = 8

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages as hashed unit vectors."""
        return [self.embed_query(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        """Embed one text as a hashed unit vector."""
        raw = [b + 1.0 for b in hashlib.sha256(text.encode()).digest()[: self.dimensions]]
        norm = math.sqrt(sum(v * v for v in raw))
        return [v / norm for v in raw]


def make_services(data_dir: Path, database_url: str | None = None) -> Services:
    """Build a service container on a data directory and database."""
    return Services(CoreSettings(data_dir=data_dir, database_url=database_url, admin_key=ADMIN_KEY))


def load_corpus(kb: KnowledgeBase) -> None:
    """Ingest the small corpus."""
    for source, text in CORPUS.items():
        kb.ingest_bytes(text.encode(), source=source, content_type="text/markdown")


@pytest.fixture
def kb_services(database_url: str, tmp_path: Path) -> Iterator[Services]:
    """Services on a fresh data dir and a fresh SQLite or PostgreSQL database."""
    services = make_services(tmp_path / "data", database_url)
    yield services
    # Close pooled connections before the database is dropped, not at garbage collection.
    services.engine.dispose()


@pytest.fixture
def kb(kb_services: Services) -> KnowledgeBase:
    """A knowledge base on either database, with real embeddings and a real Chroma store."""
    return kb_services.knowledge


@pytest.fixture
def sqlite_kb(tmp_path: Path) -> KnowledgeBase:
    """A knowledge base on SQLite only, for tests about retrieval rather than storage."""
    return make_services(tmp_path / "data").knowledge
