"""The knowledge HTTP API over real HTTP: the contract, every bad input, auth."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from core.auth import create_key
from tests.conftest import LiveServer
from tests.knowledge.files import PNG_BYTES, make_pdf, truncate

DOCS = "/v1/knowledge/documents"
PRICING = "# Pricing\n\n## Growth plan\nThe Growth plan costs $49 per user per month.\n"


@pytest.fixture
def small_limit(monkeypatch: pytest.MonkeyPatch) -> int:
    """A 4 KB document limit, set before the knowledge base is opened."""
    monkeypatch.setenv("BATON_MAX_DOCUMENT_BYTES", "4096")
    return 4096


@pytest.fixture
def marketer(live_server: LiveServer) -> Iterator[httpx.Client]:
    """A client holding a marketer key (the model is loaded first, outside any HTTP timeout)."""
    assert live_server.services.knowledge.document_count() == 0
    _row, secret = create_key(live_server.services.engine, name="Mia", role="marketer")
    with live_server.client(secret) as client:
        yield client


def _error(resp: httpx.Response, status: int, *fragments: str) -> None:
    assert resp.status_code == status, resp.text
    body = resp.json()
    message = str(body.get("detail", "")).lower()
    for fragment in fragments:
        assert fragment.lower() in message, body


def test_json_document_lifecycle(marketer: httpx.Client) -> None:
    doc = {"source": "site/pricing.md", "title": "Pricing", "text": PRICING,
           "content_type": "text/markdown", "tags": ["pricing"]}  # fmt: skip
    created = marketer.post(DOCS, json=doc)
    assert created.status_code == 201, created.text
    body = created.json()
    assert {"id", "source", "title", "version", "chunks"} <= body.keys()
    assert (body["source"], body["title"], body["version"]) == ("site/pricing.md", "Pricing", 1)
    assert body["chunks"] >= 1

    same = marketer.post(DOCS, json=doc)
    assert same.status_code == 200 and same.json()["version"] == 1

    changed = marketer.post(DOCS, json={**doc, "text": PRICING + "\nAnnual billing saves 20%.\n"})
    assert changed.status_code == 201 and changed.json()["version"] == 2
    assert changed.json()["id"] == body["id"]

    detail = marketer.get(f"{DOCS}/{body['id']}").json()
    assert detail["version"] == 2 and detail["tags"] == ["pricing"]
    assert detail["content_type"] == "text/markdown" and "Annual billing" in detail["text"]
    assert detail["chunks"] >= 1 and detail["updated_at"]

    hits = marketer.get("/v1/knowledge/search", params={"q": "Growth plan price", "k": 3})
    assert hits.status_code == 200
    first = hits.json()["results"][0]
    assert {"document_id", "source", "title", "text", "score"} <= first.keys()
    assert first["document_id"] == body["id"] and "$49" in first["text"]

    assert marketer.delete(f"{DOCS}/{body['id']}").status_code == 204
    _error(marketer.get(f"{DOCS}/{body['id']}"), 404, "no document")
    _error(marketer.delete(f"{DOCS}/{body['id']}"), 404, "no document")
    assert marketer.get("/v1/knowledge/search", params={"q": "Growth plan"}).json() == {
        "results": []
    }


def test_multipart_upload_and_pdf(marketer: httpx.Client) -> None:
    md = marketer.post(DOCS, files={"file": ("faq.md", b"# FAQ\n\nWe support Okta SSO.\n",
                                             "text/markdown")},
                       data={"tags": "faq, sso"})  # fmt: skip
    assert md.status_code == 201, md.text
    assert md.json()["source"] == "faq.md" and md.json()["title"] == "FAQ"
    pdf = make_pdf([["Relaypoint datasheet", "Routing in under 3 seconds."]], title="Datasheet")
    up = marketer.post(DOCS, files={"file": ("sheet.pdf", pdf, "application/pdf")},
                       data={"source": "docs/sheet.pdf", "title": "Datasheet"})  # fmt: skip
    assert up.status_code == 201, up.text
    detail = marketer.get(f"{DOCS}/{up.json()['id']}").json()
    assert detail["content_type"] == "application/pdf" and detail["text"] is None
    tagged = marketer.get("/v1/knowledge/search", params={"q": "SSO", "tag": "sso"}).json()
    assert [r["source"] for r in tagged["results"]] == ["faq.md"]


def test_listing_is_paginated(marketer: httpx.Client) -> None:
    for i in range(5):
        body = {"source": f"notes/{i}.txt", "text": f"Note number {i} about routing.",
                "content_type": "text/plain"}  # fmt: skip
        assert marketer.post(DOCS, json=body).status_code == 201
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = marketer.get(DOCS, params=params).json()
        assert len(page["items"]) <= 2
        seen += [item["source"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"notes/{i}.txt" for i in range(5)]
    _error(marketer.get(DOCS, params={"cursor": "%%%not-a-cursor"}), 400, "cursor")
    _error(marketer.get(DOCS, params={"limit": 0}), 422, "limit")


@pytest.mark.parametrize(
    ("files", "status", "fragment"),
    [
        ({"file": ("empty.md", b"", "text/markdown")}, 400, "empty"),
        ({"file": ("blank.txt", b"  \n\t\n", "text/plain")}, 400, "blank"),
        ({"file": ("logo.png", PNG_BYTES, "image/png")}, 415, "logo.png"),
        ({"file": ("notes.md", PNG_BYTES, "text/markdown")}, 415, "notes.md"),
        ({"file": ("u16.txt", b"\xff\xfeA\x00B", "text/plain")}, 400, "not valid"),
        ({"file": ("broken.pdf", truncate(make_pdf([["Hello there"]])), "application/pdf")},
         400, "broken.pdf"),
        ({"file": ("fake.pdf", b"just words, no pdf header", "application/pdf")}, 400, "pdf"),
        ({"file": ("run.exe", b"MZ\x90\x00" + b"\x00" * 64, None)}, 415, "run.exe"),
    ],
)  # fmt: skip
def test_bad_files_get_clear_errors(
    marketer: httpx.Client, files: dict[str, tuple[str, bytes, str | None]], status: int,
    fragment: str,
) -> None:  # fmt: skip
    _error(marketer.post(DOCS, files=files), status, fragment)
    assert marketer.get(DOCS).json()["items"] == []


def test_bad_requests_get_clear_errors(marketer: httpx.Client) -> None:
    empty = {"source": "a.md", "text": "", "content_type": "text/markdown"}
    _error(marketer.post(DOCS, json=empty), 400, "a.md")
    _error(marketer.post(DOCS, json={"text": "hello"}), 422, "source")
    _error(marketer.post(DOCS, json={"source": "a", "text": "x", "content_type": "image/png"}),
           422, "content_type")  # fmt: skip
    _error(marketer.post(DOCS, json={"source": "a", "text": "x", "tags": "oops"}), 422, "tags")
    _error(marketer.post(DOCS, json=["not", "an", "object"]), 422, "")
    _error(marketer.post(DOCS, content=b"{not json", headers={"content-type": "application/json"}),
           400, "json")  # fmt: skip
    _error(marketer.post(DOCS, content=b"hello", headers={"content-type": "text/plain"}), 415,
           "multipart")  # fmt: skip
    _error(marketer.post(DOCS, data={"source": "x.md"}, files={"other": ("x", b"y")}), 422, "file")
    # Framing with no parts in it: the form is empty, so the file field is what is missing.
    _error(marketer.post(DOCS, content=b"--zz\r\ngarbage", headers={
        "content-type": "multipart/form-data; boundary=zz"}), 422, "file")  # fmt: skip
    _error(marketer.post(DOCS, content=b"abc", headers={"content-type": "multipart/form-data"}),
           400, "multipart")  # fmt: skip
    _error(marketer.get("/v1/knowledge/search"), 422, "q")
    _error(marketer.get("/v1/knowledge/search", params={"q": "   "}), 422, "blank")
    _error(marketer.get("/v1/knowledge/search", params={"q": "x", "k": 0}), 422, "k")
    _error(marketer.get(f"{DOCS}/nope"), 404, "nope")


def test_oversized_documents_are_refused(small_limit: int, marketer: httpx.Client) -> None:
    big = b"# Big\n\n" + b"word " * small_limit
    _error(marketer.post(DOCS, files={"file": ("big.md", big, "text/markdown")}), 413, "big.md")
    text = big.decode()
    _error(marketer.post(DOCS, json={"source": "big.md", "text": text}), 413, "limit")
    # A body far beyond the limit is refused from its declared length, before it is read.
    huge = b"x" * (small_limit + (2 << 20))
    _error(marketer.post(DOCS, content=huge, headers={"content-type": "application/json"}), 413,
           "limit")  # fmt: skip
    assert marketer.get(DOCS).json()["items"] == []
    ok = marketer.post(DOCS, files={"file": ("ok.md", b"# Fine\n\nSmall enough.", "text/markdown")})
    assert ok.status_code == 201


def test_staff_keys_are_required(live_server: LiveServer) -> None:
    live_server.services.knowledge.document_count()  # load the model outside HTTP timeouts
    _row, sales = create_key(live_server.services.engine, name="Sam", role="sales")
    with live_server.client(None) as anonymous:
        _error(anonymous.get(DOCS), 401, "staff key")
        _error(anonymous.post(DOCS, json={"source": "a", "text": "b"}), 401, "staff key")
    with live_server.client("bk_wrong") as wrong:
        _error(wrong.get("/v1/knowledge/search", params={"q": "x"}), 401, "invalid")
    with live_server.client(sales) as rep:
        _error(rep.get(DOCS), 403, "marketer")
        _error(rep.post(DOCS, json={"source": "a", "text": "b"}), 403, "marketer")
        _error(rep.delete(f"{DOCS}/x"), 403, "marketer")
        _error(rep.get("/v1/knowledge/search", params={"q": "x"}), 403, "marketer")
    with live_server.client() as admin:
        assert admin.get(DOCS).status_code == 200


def test_reindex_rebuilds_vectors(marketer: httpx.Client) -> None:
    marketer.post(DOCS, json={"source": "p.md", "text": PRICING})
    resp = marketer.post("/v1/knowledge/reindex")
    assert resp.status_code == 200 and resp.json()["chunks"] >= 1
    assert marketer.get("/v1/knowledge/search", params={"q": "Growth"}).json()["results"]
