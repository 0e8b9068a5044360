"""Per-site CORS: a site key works only from the origins configured for it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.engine import Engine

from agent.sites import (
    DEMO_SITE_KEY,
    create_site,
    ensure_demo_site,
    get_site,
    is_origin_allowed,
    normalise_origin,
)
from core.db import get_engine
from core.schema import init_schema
from tests.conftest import LiveServer

GOOD = "https://shop.example.com"
BAD = "https://evil.example.net"


@pytest.fixture
def db(database_url: str) -> Iterator[Engine]:
    engine = get_engine(database_url)
    init_schema(engine)
    yield engine
    engine.dispose()


def test_origins_are_normalised_and_bad_ones_refused() -> None:
    assert normalise_origin("HTTPS://Shop.Example.com:443/") == "https://shop.example.com"
    assert normalise_origin("http://127.0.0.1:8000") == "http://127.0.0.1:8000"
    for bad in ("shop.example.com", "ftp://x.com", "https://x.com/path", "https://u:p@x.com"):
        with pytest.raises(ValueError, match="origin"):
            normalise_origin(bad)


def test_sites_persist_and_update(db: Engine) -> None:
    site = create_site(db, key="acme", name="Acme", origins=[GOOD, GOOD + "/"])
    assert site.allowed_origins == [GOOD]
    create_site(db, key="acme", name="Acme shop", origins=[GOOD, "http://localhost:3000"])
    again = get_site(db, "acme")
    assert again is not None
    assert again.name == "Acme shop"
    assert again.allowed_origins == [GOOD, "http://localhost:3000"]
    assert is_origin_allowed(again, "https://shop.example.com")
    assert not is_origin_allowed(again, BAD)
    assert not is_origin_allowed(None, GOOD)
    with pytest.raises(ValueError, match="site key"):
        create_site(db, key="bad key!", name="x", origins=[])


def test_demo_site_is_created_once_and_gains_new_origins(db: Engine) -> None:
    first = ensure_demo_site(db, ["http://127.0.0.1:8000"])
    assert first.allowed_origins == ["http://127.0.0.1:8000"]
    second = ensure_demo_site(db, ["http://127.0.0.1:8000", "http://localhost:8000"])
    assert second.allowed_origins == ["http://127.0.0.1:8000", "http://localhost:8000"]
    assert get_site(db, DEMO_SITE_KEY) is not None


def test_demo_site_origins_come_from_the_environment(
    db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BATON_DEMO_ORIGINS", "https://demo.example.org, http://localhost:9000")
    site = ensure_demo_site(db)
    assert site.allowed_origins == ["https://demo.example.org", "http://localhost:9000"]


@pytest.fixture
def shop(live_server: LiveServer) -> LiveServer:
    create_site(live_server.services.engine, key="shop", name="Shop", origins=[GOOD])
    return live_server


def _preflight(server: LiveServer, path: str, origin: str) -> httpx.Response:
    return httpx.options(
        server.url + path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )


def test_preflight_from_an_allowed_origin_gets_cors_headers(shop: LiveServer) -> None:
    res = _preflight(shop, "/v1/conversations?site=shop", GOOD)
    assert res.status_code == 204
    assert res.headers["access-control-allow-origin"] == GOOD
    assert "Origin" in res.headers["vary"]
    assert "POST" in res.headers["access-control-allow-methods"]
    allowed = res.headers["access-control-allow-headers"].lower()
    assert {"authorization", "content-type", "accept"} <= {h.strip() for h in allowed.split(",")}


def test_preflight_from_another_origin_gets_no_cors_headers(shop: LiveServer) -> None:
    for path in ("/v1/conversations?site=shop", "/v1/conversations", "/v1/conversations?site=nope"):
        res = _preflight(shop, path, BAD)
        assert res.status_code == 403
        assert "access-control-allow-origin" not in res.headers


def test_cross_origin_calls_are_allowed_only_from_configured_origins(shop: LiveServer) -> None:
    url = shop.url + "/v1/conversations"
    httpx.post(url, json={}, timeout=120)  # the first conversation builds the agent
    ok = httpx.post(
        url, params={"site": "shop"}, json={"site_key": "shop"}, headers={"Origin": GOOD}
    )
    assert ok.status_code == 201, ok.text
    assert ok.headers["access-control-allow-origin"] == GOOD
    conv = ok.json()
    messages = url + f"/{conv['id']}"
    got = httpx.get(
        messages,
        params={"site": "shop"},
        headers={"Origin": GOOD, "Authorization": f"Bearer {conv['visitor_token']}"},
    )
    assert got.status_code == 200
    assert got.headers["access-control-allow-origin"] == GOOD

    refused = httpx.post(url, params={"site": "shop"}, json={}, headers={"Origin": BAD})
    assert refused.status_code == 403
    assert "access-control-allow-origin" not in refused.headers
    assert BAD in refused.json()["detail"]
    assert "shop" in refused.json()["detail"]

    no_key = httpx.post(url, json={}, headers={"Origin": GOOD})
    assert no_key.status_code == 403
    assert "site key" in no_key.json()["detail"]

    unknown = httpx.post(url, params={"site": "nope"}, json={}, headers={"Origin": GOOD})
    assert unknown.status_code == 403
    assert "unknown site key" in unknown.json()["detail"]


def test_same_origin_and_originless_calls_pass(shop: LiveServer) -> None:
    url = shop.url + "/v1/conversations"
    assert httpx.post(url, json={}).status_code == 201
    same = httpx.post(url, json={}, headers={"Origin": shop.url})
    assert same.status_code == 201
    assert "access-control-allow-origin" not in same.headers


def test_other_paths_are_not_touched(shop: LiveServer) -> None:
    res = httpx.get(shop.url + "/healthz", headers={"Origin": BAD})
    assert res.status_code == 200
    assert "access-control-allow-origin" not in res.headers


def test_widget_config_tells_the_widget_whether_it_may_run(shop: LiveServer) -> None:
    cfg = shop.url + "/widget/config"
    ok = httpx.get(cfg, params={"site": "shop"}, headers={"Origin": GOOD}).json()
    assert ok == {"site": "shop", "allowed": True, "detail": None}
    bad = httpx.get(cfg, params={"site": "shop"}, headers={"Origin": BAD})
    assert bad.headers["access-control-allow-origin"] == "*"
    assert bad.json()["allowed"] is False
    assert BAD in bad.json()["detail"]
    assert httpx.get(cfg, params={"site": "nope"}).json()["allowed"] is False
    assert httpx.get(cfg).json()["detail"] == "The chat widget has no site key (data-baton-site)."
    demo = httpx.get(cfg, params={"site": "demo"}, headers={"Origin": shop.url}).json()
    assert demo["allowed"] is True
