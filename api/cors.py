"""Per-site CORS for the widget's calls: a site key works only on the origins configured for it.

The widget sends its site key as `?site=KEY` on every call, so preflight requests carry
it too (browsers send no custom headers or bodies with a preflight).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import parse_qs, urlsplit

import anyio.to_thread
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agent.sites import ensure_demo_site, get_site, is_origin_allowed

WIDGET_PATH_PREFIX = "/v1/conversations"
_ALLOW_METHODS = "GET, POST, OPTIONS"
_ALLOW_HEADERS = "Authorization, Content-Type, Accept"
_MAX_AGE = "600"


class SiteCorsMiddleware:
    """Allow cross-origin widget calls only from the origins of the site key they name."""

    def __init__(self, app: ASGIApp, engine: Engine, prefix: str = WIDGET_PATH_PREFIX) -> None:
        self.app = app
        self.engine = engine
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the Origin of widget calls, then pass them on with CORS headers."""
        if scope["type"] != "http" or not _under(scope["path"], self.prefix):
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        origin = headers.get("origin")
        if origin is None or _is_same_origin(origin, headers.get("host")):
            await self.app(scope, receive, send)
            return
        preflight = scope["method"] == "OPTIONS" and "access-control-request-method" in headers
        site_key = _site_key(scope)
        problem = await self._refusal(origin, site_key)
        if problem is not None:
            # Without CORS headers the browser blocks the call; the JSON says why for logs.
            await _send_json(send, 403, {"error": "forbidden", "detail": problem})
            return
        cors = [
            (b"access-control-allow-origin", origin.encode("latin-1")),
            (b"vary", b"Origin"),
        ]
        if preflight:
            await _send_empty(
                send,
                204,
                [
                    *cors,
                    (b"access-control-allow-methods", _ALLOW_METHODS.encode()),
                    (b"access-control-allow-headers", _ALLOW_HEADERS.encode()),
                    (b"access-control-max-age", _MAX_AGE.encode()),
                ],
            )
            return

        async def _send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() not in (b"access-control-allow-origin", b"vary")
                ]
                message = {**message, "headers": [*kept, *cors]}
            await send(message)

        await self.app(scope, receive, _send_with_cors)

    async def _refusal(self, origin: str, site_key: str | None) -> str | None:
        """Return why this origin may not call with this site key, or None when it may."""
        if not site_key:
            return (
                f"cross-origin call from {origin} without a site key: "
                "add ?site=KEY (the widget's data-baton-site) to the URL"
            )
        site = await anyio.to_thread.run_sync(get_site, self.engine, site_key)
        if site is None:
            return f"unknown site key {site_key!r}"
        if not is_origin_allowed(site, origin):
            return (
                f"origin {origin} is not allowed for site key {site_key!r}; "
                "add it with `baton sites create` (allowed origins)"
            )
        return None


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def _headers(scope: Scope) -> dict[str, str]:
    raw: Iterable[tuple[bytes, bytes]] = scope.get("headers", [])
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in raw}


def _site_key(scope: Scope) -> str | None:
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("site")
    return values[0] if values else None


def _is_same_origin(origin: str, host: str | None) -> bool:
    """Tell whether the Origin is this server itself (the console, the demo page).

    Only host and port are compared: behind a TLS-terminating proxy the scheme seen here
    differs from the browser's, and a browser cannot forge its Origin anyway.
    """
    if host is None:
        return False
    netloc = urlsplit(origin.strip()).netloc.lower()
    return netloc == host.strip().lower()


async def _send_json(send: Send, status: int, body: dict[str, str]) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


async def _send_empty(send: Send, status: int, headers: list[tuple[bytes, bytes]]) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


def install_site_cors(app: Starlette, engine: Engine) -> None:
    """Add the per-site CORS middleware and make sure the `demo` site exists."""
    ensure_demo_site(engine)
    app.add_middleware(SiteCorsMiddleware, engine=engine)
