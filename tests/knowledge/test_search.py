"""Hybrid retrieval: keywords, paraphrases, filters, and changes made by another process."""

from __future__ import annotations

import pytest

from api.app import Services
from knowledge.service import KnowledgeBase, open_knowledge_base
from tests.knowledge.conftest import CORPUS, load_corpus, make_services


@pytest.fixture(scope="module")
def corpus_services(tmp_path_factory: pytest.TempPathFactory) -> Services:
    """Services on SQLite holding the small corpus (shared: loading it costs embeddings)."""
    services = make_services(tmp_path_factory.mktemp("search") / "data")
    load_corpus(services.knowledge)
    return services


@pytest.fixture
def kb(corpus_services: Services) -> KnowledgeBase:
    """The knowledge base over the small corpus."""
    return corpus_services.knowledge


@pytest.mark.parametrize(
    ("query", "source", "needle"),
    [
        ("Growth plan", "site/pricing.md", "Growth plan costs"),
        ("$49", "site/pricing.md", "$49"),
        ("10,000 contacts", "site/pricing.md", "10,000"),
        ("99.95%", "site/pricing.md", "99.95%"),
        ("Forecast Studio", "site/pricing.md", "Forecast Studio"),
        ("ISO 27001", "site/security.md", "27001"),
        ("AES-256", "site/security.md", "AES-256"),
    ],
)
def test_keywords_find_their_passage_first(
    kb: KnowledgeBase, query: str, source: str, needle: str
) -> None:
    hits = kb.search(query, k=3)
    assert hits[0].source == source and needle in hits[0].text


@pytest.mark.parametrize(
    ("query", "source", "needle"),
    [
        ("how much is the mid-tier subscription for each seat", "site/pricing.md", "Growth"),
        ("is my information protected when it is stored on disk", "site/security.md", "encrypted"),
        ("how quickly can our team be up and running", "site/onboarding.md", "two weeks"),
        ("do you have independent audits of your controls", "site/security.md", "SOC 2"),
    ],
)
def test_paraphrases_find_their_passage(
    kb: KnowledgeBase, query: str, source: str, needle: str
) -> None:
    top = kb.search(query, k=2)
    assert any(h.source == source and needle in h.text for h in top), [h.text for h in top]


def test_hits_are_best_first_with_documents_filled(kb: KnowledgeBase) -> None:
    hits = kb.search("plan price per user", k=5)
    assert len(hits) == 5
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    pricing = next(h for h in hits if h.source == "site/pricing.md")
    assert pricing.title == "Pricing" and pricing.heading_path[0] == "Pricing"
    assert pricing.text.startswith("Pricing > ")


def test_filters_by_tag_and_source_prefix(kb: KnowledgeBase) -> None:
    assert {h.source for h in kb.search("plans and security", k=10, tags=["security"])} == {
        "site/security.md"
    }
    any_of = {h.source for h in kb.search("plans and security", k=10, tags=["SECURITY", "blog"])}
    assert any_of == {"site/security.md", "blog/remote-work.md"}
    assert {h.source for h in kb.search("team", k=10, source_prefix="blog/")} == {
        "blog/remote-work.md"
    }
    both = kb.search("encryption", k=10, tags=["pricing"], source_prefix="site/")
    assert {h.source for h in both} == {"site/pricing.md"}
    assert kb.search("encryption", k=5, tags=["no-such-tag"]) == []
    assert kb.search("encryption", k=5, source_prefix="nowhere/") == []


def test_changes_made_elsewhere_are_seen_by_the_next_search(
    corpus_services: Services, kb: KnowledgeBase
) -> None:
    services = corpus_services
    assert kb.search("Zephyr webhook relay", k=1)[0].source != "site/zephyr.md"
    # Another instance stands in for another worker process sharing the same stores.
    other = open_knowledge_base(services.settings, services.engine)
    added = other.ingest_bytes(b"# Zephyr\n\nThe Zephyr webhook relay retries for 72 hours.",
                               source="site/zephyr.md", content_type="text/markdown")  # fmt: skip
    assert kb.search("Zephyr webhook relay", k=1)[0].source == "site/zephyr.md"
    other.delete_document(added.id)
    assert all(h.source != "site/zephyr.md" for h in kb.search("Zephyr webhook relay", k=5))


def test_empty_knowledge_base_and_blank_query(tmp_path_factory: pytest.TempPathFactory) -> None:
    empty = make_services(tmp_path_factory.mktemp("empty") / "data").knowledge
    assert empty.search("anything", k=5) == []
    assert empty.document_count() == 0
    assert len(CORPUS) == 4
