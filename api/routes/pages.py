"""Browser pages: the demo landing page, the widget script, the staff console and its sign-in."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlmodel import Session, select

from agent.sites import get_site, is_origin_allowed
from api.deps import ServicesDep, StaffDep
from core.auth import Principal, authenticate

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
COOKIE = "baton_staff"
_COOKIE_MAX_AGE = 12 * 3600
_MEDIA = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
# Pages a browser should never frame or sniff; the console also never leaks its URL.
_PAGE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

router = APIRouter(include_in_schema=False)


def _static(name: str, *, cache: str = "no-cache") -> FileResponse:
    path = (STATIC_DIR / name).resolve()
    if not path.is_relative_to(STATIC_DIR) or not path.is_file() or path.suffix not in _MEDIA:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no such file: {name}")
    return FileResponse(
        path,
        media_type=_MEDIA[path.suffix],
        headers={"Cache-Control": cache, "X-Content-Type-Options": "nosniff"},
    )


def _page(name: str) -> FileResponse:
    response = _static(name)
    response.headers.update(_PAGE_HEADERS)
    return response


@router.get("/")
def landing_page() -> FileResponse:
    """Serve the demo company's landing page with the chat widget on it."""
    return _page("landing/index.html")


@router.get("/pricing")
def pricing_page() -> FileResponse:
    """Serve the demo company's pricing page (a second page, to show the chat follows along)."""
    return _page("landing/pricing.html")


@router.get("/widget.js")
def widget_script() -> FileResponse:
    """Serve the embeddable chat widget."""
    return _static("widget.js", cache="public, max-age=300")


@router.get("/static/{path:path}")
def static_file(path: str) -> FileResponse:
    """Serve a stylesheet, script or image of the landing page or console."""
    return _static(path)


@router.get("/widget/config")
def widget_config(request: Request, services: ServicesDep, site: str = "") -> JSONResponse:
    """Tell the widget whether its site key may be used on the page that loaded it."""
    origin = request.headers.get("origin")
    found = get_site(services.engine, site) if site else None
    detail: str | None = None
    if not site:
        detail = "The chat widget has no site key (data-baton-site)."
    elif found is None:
        detail = f"Unknown site key {site!r}."
    elif (
        origin is not None
        and origin.split("://", 1)[-1] != request.headers.get("host")
        and not is_origin_allowed(found, origin)
    ):
        detail = f"This chat is not enabled on {origin} (site key {site!r})."
    body = {"site": site, "allowed": detail is None, "detail": detail}
    # Public and harmless: any page may ask whether it is allowed.
    return JSONResponse(body, headers={"Access-Control-Allow-Origin": "*"})


@router.get("/kb/{document_id}", response_class=HTMLResponse)
def knowledge_page(document_id: str, services: ServicesDep) -> HTMLResponse:
    """Show one knowledge document read-only, for citations whose source is not a URL."""
    from knowledge.models import Chunk, Document

    with Session(services.engine) as session:
        doc = session.get(Document, document_id)
        if doc is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such document")
        text = doc.text
        if text is None:
            chunks = session.exec(
                select(Chunk)
                .where(Chunk.document_id == doc.id, Chunk.version == doc.version)
                .order_by(Chunk.position)  # type: ignore[arg-type]
            ).all()
            text = "\n\n".join(c.text for c in chunks)
        title, source = doc.title, doc.source
    page = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{html.escape(title)}</title><link rel='stylesheet' href='/static/kb.css'></head>"
        f"<body><main><p class='src'>Source: {html.escape(source)}</p>"
        f"<h1>{html.escape(title)}</h1><pre>{html.escape(text)}</pre></main></body></html>"
    )
    return HTMLResponse(page, headers=_PAGE_HEADERS)


def _signed_in(request: Request, services: ServicesDep) -> Principal | None:
    key = request.cookies.get(COOKIE)
    if not key:
        return None
    return authenticate(services.engine, key, services.settings.admin_key)


@router.get("/console", response_model=None)
@router.get("/console/", response_model=None)
def console(request: Request, services: ServicesDep) -> Response:
    """Serve the staff console, or send the browser to sign in."""
    if _signed_in(request, services) is None:
        return RedirectResponse("/console/login", status.HTTP_303_SEE_OTHER)
    return _page("console/index.html")


@router.get("/console/login", response_model=None)
def login_page(request: Request, services: ServicesDep) -> Response:
    """Serve the sign-in form (or the console when already signed in)."""
    if _signed_in(request, services) is not None:
        return RedirectResponse("/console", status.HTTP_303_SEE_OTHER)
    return _login_form(None)


@router.post("/console/login", response_model=None)
def login(request: Request, services: ServicesDep, key: Annotated[str, Form()] = "") -> Response:
    """Check a staff key and keep it in an HttpOnly, SameSite=Strict cookie."""
    key = key.strip()
    if not key:
        return _login_form("Enter your staff key.", status.HTTP_400_BAD_REQUEST)
    if authenticate(services.engine, key, services.settings.admin_key) is None:
        return _login_form("That key is not valid or was revoked.", status.HTTP_401_UNAUTHORIZED)
    response = RedirectResponse("/console", status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        COOKIE,
        key,
        max_age=_COOKIE_MAX_AGE,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/console/logout")
def logout(request: Request) -> RedirectResponse:
    """Forget the staff key cookie and go back to the sign-in form."""
    response = RedirectResponse("/console/login", status.HTTP_303_SEE_OTHER)
    response.delete_cookie(
        COOKIE, path="/", httponly=True, samesite="strict", secure=request.url.scheme == "https"
    )
    return response


@router.get("/console/me")
def whoami(principal: StaffDep) -> dict[str, Any]:
    """Return the signed-in staff member's name and role (drives the console's navigation)."""
    return {"name": principal.name, "role": principal.role}


def _login_form(error: str | None, code: int = status.HTTP_200_OK) -> HTMLResponse:
    template = (STATIC_DIR / "console" / "login.html").read_text(encoding="utf-8")
    message = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    return HTMLResponse(template.replace("<!--ERROR-->", message), code, headers=_PAGE_HEADERS)
