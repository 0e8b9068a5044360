"""Browser-facing pages over real HTTP: landing page, widget script, console sign-in, KB pages."""

from __future__ import annotations

import gzip
import re

import httpx
from sqlmodel import Session

from core.auth import create_key
from knowledge.models import Chunk, Document
from tests.conftest import ADMIN_KEY, LiveServer

WIDGET_BUDGET_BYTES = 50 * 1024


def test_landing_page_embeds_the_widget_with_one_script_tag(live_server: LiveServer) -> None:
    res = httpx.get(live_server.url + "/")
    assert res.status_code == 200
    assert res.headers["content-type"].startswith("text/html")
    assert "Relaypoint" in res.text
    tags = re.findall(r"<script[^>]*>", res.text)
    assert tags == [
        '<script src="/widget.js" data-baton-site="demo" '
        'data-baton-title="Relaypoint assistant" async>'
    ]
    assert "https://" not in "".join(re.findall(r'(?:src|href)="([^"]+)"', res.text)), "no CDN"
    pricing = httpx.get(live_server.url + "/pricing")
    assert pricing.status_code == 200
    assert 'data-baton-site="demo"' in pricing.text


def test_widget_script_is_served_small_and_self_contained(live_server: LiveServer) -> None:
    res = httpx.get(live_server.url + "/widget.js")
    assert res.status_code == 200
    assert res.headers["content-type"].startswith("text/javascript")
    assert len(gzip.compress(res.content)) < WIDGET_BUDGET_BYTES
    body = res.text
    assert "attachShadow" in body
    assert "http://" not in body.replace("http://www.w3.org", "")  # nothing fetched from elsewhere
    # Text from the server is only ever set as text: nothing is parsed as markup.
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in body, sink


def test_static_files_are_confined_to_the_static_folder(live_server: LiveServer) -> None:
    assert httpx.get(live_server.url + "/static/console/console.css").status_code == 200
    for path in (
        "/static/../routes/pages.py",
        "/static/%2e%2e/app.py",
        "/static/nope.css",
        "/static/console/login.html.bak",
    ):
        res = httpx.get(live_server.url + path)
        assert res.status_code == 404, path
        assert res.headers["content-type"] == "application/json"


def test_console_needs_a_valid_key(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.url) as browser:
        first = browser.get("/console")
        assert first.status_code == 303
        assert first.headers["location"] == "/console/login"
        form = browser.get("/console/login")
        assert form.status_code == 200
        assert 'name="key"' in form.text

        empty = browser.post("/console/login", data={"key": "  "})
        assert empty.status_code == 400
        assert "Enter your staff key." in empty.text
        wrong = browser.post("/console/login", data={"key": "<b>nope</b>"})
        assert wrong.status_code == 401
        assert "not valid" in wrong.text
        assert "<b>nope</b>" not in wrong.text
        assert "baton_staff" not in wrong.headers.get("set-cookie", "")
        assert browser.get("/console/me").status_code == 401


def test_sign_in_sets_a_strict_httponly_cookie_that_the_api_accepts(
    live_server: LiveServer,
) -> None:
    _, secret = create_key(live_server.services.engine, name="Rita Rep", role="sales")
    with httpx.Client(base_url=live_server.url) as browser:
        res = browser.post("/console/login", data={"key": secret})
        assert res.status_code == 303
        assert res.headers["location"] == "/console"
        cookie = res.headers["set-cookie"]
        assert cookie.startswith("baton_staff=")
        assert "HttpOnly" in cookie
        assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
        assert "Secure" not in cookie  # plain http on loopback

        page = browser.get("/console")
        assert page.status_code == 200
        assert 'src="/static/console/core.js"' in page.text
        assert browser.get("/console/login").status_code == 303  # already signed in
        assert browser.get("/console/me").json() == {"name": "Rita Rep", "role": "sales"}
        # The cookie authenticates staff API calls; the role still applies.
        assert browser.get("/v1/handoffs").status_code == 200
        assert browser.get("/v1/knowledge/documents").status_code == 403

        out = browser.post("/console/logout")
        assert out.status_code == 303
        assert out.headers["location"] == "/console/login"
        assert "baton_staff=" in out.headers["set-cookie"]
        assert browser.get("/console").status_code == 303
        assert browser.get("/console/me").status_code == 401


def test_cookie_is_secure_behind_https(live_server: LiveServer) -> None:
    res = httpx.post(
        live_server.url + "/console/login",
        data={"key": ADMIN_KEY},
        headers={"X-Forwarded-Proto": "https"},
    )
    assert res.status_code == 303
    assert "Secure" in res.headers["set-cookie"]


def test_knowledge_page_shows_a_document_as_inert_text(live_server: LiveServer) -> None:
    with Session(live_server.services.engine) as session:
        doc = Document(
            source="notes/evil.md",
            title="<img src=x onerror=alert(1)>",
            content_type="text/markdown",
            content_hash="x" * 64,
            text="Hello <script>alert('x')</script> world",
        )
        pdf = Document(
            source="files/sheet.pdf",
            title="Data sheet",
            content_type="application/pdf",
            content_hash="y" * 64,
            text=None,
        )
        session.add(doc)
        session.add(pdf)
        session.commit()
        session.add(
            Chunk(
                id=f"{pdf.id}-v1-0",
                document_id=pdf.id,
                version=1,
                position=0,
                text="Page one & more",
            )
        )
        session.commit()
        doc_id, pdf_id = doc.id, pdf.id
    res = httpx.get(f"{live_server.url}/kb/{doc_id}")
    assert res.status_code == 200
    assert "<script>" not in res.text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in res.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in res.text
    assert "notes/evil.md" in res.text
    assert "Page one &amp; more" in httpx.get(f"{live_server.url}/kb/{pdf_id}").text
    missing = httpx.get(f"{live_server.url}/kb/nope")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "no such document"
