"""Sites that embed the chat widget: each has a key and the web origins allowed to use it."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import JSON, Column, DateTime
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, select

from core.clock import utcnow

DEMO_SITE_KEY = "demo"
_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{1,100}$")


class SiteSettings(BaseSettings):
    """Settings of the demo site read from `BATON_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="BATON_", extra="ignore")

    # Comma-separated origins allowed for the `demo` site key (the bundled landing page).
    demo_origins: str = "http://127.0.0.1:8000,http://localhost:8000"

    def demo_origin_list(self) -> list[str]:
        """Return the demo origins as a list, normalised."""
        return [normalise_origin(o) for o in self.demo_origins.split(",") if o.strip()]


class Site(SQLModel, table=True):
    """A website allowed to embed the widget with its key."""

    __tablename__ = "sites"

    key: str = Field(primary_key=True, max_length=100)
    name: str = Field(max_length=200)
    allowed_origins: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


def normalise_origin(origin: str) -> str:
    """Return an origin as a browser sends it (`scheme://host[:port]`), or raise ValueError."""
    text = origin.strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not a web origin (expected scheme://host[:port]): {origin!r}")
    if parts.path or parts.query or parts.fragment or parts.username:
        raise ValueError(f"an origin has no path, query or credentials: {origin!r}")
    port = parts.port
    default = {"http": 80, "https": 443}[parts.scheme]
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def get_site(engine: Engine, key: str) -> Site | None:
    """Return the site with this key, or None."""
    with Session(engine) as session:
        return session.get(Site, key)


def list_sites(engine: Engine) -> list[Site]:
    """List every site, oldest first."""
    with Session(engine) as session:
        return list(session.exec(select(Site).order_by(Site.created_at)).all())  # type: ignore[arg-type]


def create_site(engine: Engine, *, key: str, name: str, origins: list[str]) -> Site:
    """Create a site or replace the name and origins of an existing one."""
    if not _KEY_RE.match(key):
        raise ValueError("site key must be 1-100 letters, digits, '-' or '_'")
    if not name.strip():
        raise ValueError("site name must not be empty")
    clean = list(dict.fromkeys(normalise_origin(o) for o in origins))
    with Session(engine, expire_on_commit=False) as session:
        site = session.get(Site, key)
        if site is None:
            site = Site(key=key, name=name.strip(), allowed_origins=clean)
        else:
            site.name = name.strip()
            site.allowed_origins = clean
        session.add(site)
        session.commit()
        session.refresh(site)
        return site


def ensure_demo_site(engine: Engine, origins: list[str] | None = None) -> Site:
    """Create the `demo` site if missing, and make sure it allows the given origins."""
    wanted = origins if origins is not None else SiteSettings().demo_origin_list()
    existing = get_site(engine, DEMO_SITE_KEY)
    if existing is not None:
        merged = list(dict.fromkeys([*existing.allowed_origins, *map(normalise_origin, wanted)]))
        if merged == existing.allowed_origins:
            return existing
        return create_site(engine, key=DEMO_SITE_KEY, name=existing.name, origins=merged)
    try:
        return create_site(engine, key=DEMO_SITE_KEY, name="Demo landing page", origins=wanted)
    except IntegrityError:  # another worker created it first
        site = get_site(engine, DEMO_SITE_KEY)
        assert site is not None
        return site


def is_origin_allowed(site: Site | None, origin: str) -> bool:
    """Tell whether a browser origin may use this site's widget."""
    if site is None:
        return False
    try:
        wanted = normalise_origin(origin)
    except ValueError:
        return False
    return wanted in site.allowed_origins
