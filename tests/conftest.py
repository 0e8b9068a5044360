"""Shared fixtures: real databases (SQLite and PostgreSQL), real services and a live HTTP server."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from api.app import Services, create_app
from core.config import CoreSettings

PG_ADMIN_URL = os.environ.get("BATON_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
ADMIN_KEY = "test-admin-key-0123456789"


def _pg_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The PostgreSQL admin URL, or a skip with the reason when none is reachable."""
    if not _pg_reachable():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    return PG_ADMIN_URL


def make_pg_database(admin_url: str) -> tuple[str, str]:
    """Create an empty PostgreSQL database and return (url, name)."""
    import psycopg

    name = f"baton_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + f"/{name}", name


def drop_pg_database(admin_url: str, name: str) -> None:
    """Drop a test database, closing any connection still open to it."""
    import psycopg

    from core.db import get_engine

    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    # Close pooled connections first: an undisposed pool warns (and warnings are errors).
    get_engine(url).dispose()
    get_engine.cache_clear()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL: one SQLite file, or one new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'baton.db'}"
        return
    admin = request.getfixturevalue("pg_server")
    url, name = make_pg_database(admin)
    try:
        yield url
    finally:
        drop_pg_database(admin, name)


@pytest.fixture
def settings(tmp_path: Path) -> CoreSettings:
    """Settings on a fresh SQLite data directory with a known admin key."""
    return CoreSettings(data_dir=tmp_path / "data", admin_key=ADMIN_KEY)


@pytest.fixture
def services(settings: CoreSettings) -> Services:
    """A service container on fresh storage."""
    return Services(settings)


class LiveServer:
    """A real uvicorn server on a loopback port, run in a thread."""

    def __init__(self, services: Services, *, start_dispatcher: bool = False) -> None:
        self.services = services
        app = create_app(services, start_dispatcher=start_dispatcher)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> LiveServer:
        """Start serving and wait until /healthz answers."""
        self.thread.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("live server did not start")

    def stop(self) -> None:
        """Stop the server and wait for its thread."""
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def client(self, key: str | None = ADMIN_KEY) -> httpx.Client:
        """An HTTP client for this server, authenticated with a staff key when given."""
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


@pytest.fixture
def live_server(services: Services) -> Iterator[LiveServer]:
    """A live server over real HTTP on fresh storage (dispatcher off; tests drive it)."""
    server = LiveServer(services).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def api(live_server: LiveServer) -> Iterator[httpx.Client]:
    """An admin HTTP client for the live server."""
    with live_server.client() as client:
        yield client
