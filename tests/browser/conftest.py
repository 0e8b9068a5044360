"""Browser-test fixtures: one Baton server, two other-origin page servers and one Chromium."""

from __future__ import annotations

import http.server
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from agent.sites import create_site
from api.app import Services
from core.auth import create_key
from core.config import CoreSettings
from tests.conftest import ADMIN_KEY, LiveServer

CHROMIUM = "/usr/bin/chromium"
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "evals" / "screenshots"
# A few demo documents are enough for grounded answers with citations; embedding the
# whole demo set would dominate the suite's run time on two cores.
DEMO_DOCS = ("demo/pricing.mdx", "demo/product-overview.md", "demo/faq.md")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


class _PageServer:
    """A plain HTTP server on its own loopback port: another web origin embedding the widget."""

    def __init__(self, baton_url: str) -> None:
        baton = baton_url

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site = parse_qs(urlsplit(self.path).query).get("site", [""])[0]
                body = (
                    "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
                    "<meta name='viewport' content='width=device-width,initial-scale=1'>"
                    "<title>Partner shop</title>"
                    # Hostile host-page CSS: the widget's shadow DOM must not be affected.
                    "<style>*{font-family:serif!important;color:lime!important}"
                    "button{display:none!important}</style></head>"
                    "<body><h1>A partner's page</h1><p>Some content.</p>"
                    f"<script src='{baton}/widget.js' data-baton-site='{site}' async></script>"
                    "</body></html>"
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Stack:
    """Everything the browser tests talk to."""

    baton: LiveServer
    partner: _PageServer  # an origin allowed for the site key `partner`
    stranger: _PageServer  # an origin no site key allows
    sales_key: str
    marketer_key: str

    def api(self, key: str | None = ADMIN_KEY) -> httpx.Client:
        """An HTTP client for the Baton server."""
        return self.baton.client(key)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A live Baton server with a few demo documents, and two other-origin page servers."""
    data = tmp_path_factory.mktemp("browser") / "data"
    services = Services(CoreSettings(data_dir=data, admin_key=ADMIN_KEY))
    report = services.knowledge.ingest_paths([REPO / d for d in DEMO_DOCS], base=REPO)
    assert not report.errors, report.errors
    baton = LiveServer(services).start()
    partner, stranger = _PageServer(baton.url), _PageServer(baton.url)
    create_site(services.engine, key="partner", name="Partner shop", origins=[partner.origin])
    _, sales = create_key(services.engine, name="Sam Sales", role="sales")
    _, marketer = create_key(services.engine, name="Mia Marketer", role="marketer")
    try:
        yield Stack(baton, partner, stranger, sales, marketer)
    finally:
        partner.stop()
        stranger.stop()
        baton.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium (Debian's) for the whole session; never a downloaded one."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser profile (own storage and cookies) per test."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 860})
    ctx.set_default_timeout(30_000)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture(scope="session")
def shots() -> Path:
    """The folder for screenshots of this run (gitignored)."""
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
