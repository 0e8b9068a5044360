"""The app factory and the service container every route reaches through `deps`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cached_property
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.clock import Clock, SystemClock
from core.config import CoreSettings
from core.db import get_engine
from core.schema import init_schema

if TYPE_CHECKING:
    from agent.service import Agent
    from handoff.dispatcher import Dispatcher
    from knowledge.service import KnowledgeBase

log = logging.getLogger("baton")


class Services:
    """Long-lived objects shared by all requests; heavy ones are built on first use."""

    def __init__(self, settings: CoreSettings | None = None, clock: Clock | None = None) -> None:
        self.settings = settings or CoreSettings()
        self.clock: Clock = clock or SystemClock()
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = get_engine(self.settings.resolved_database_url())
        init_schema(self.engine)

    @cached_property
    def knowledge(self) -> KnowledgeBase:
        """Return the knowledge base (embedder, vector store, lexical index)."""
        from knowledge.service import open_knowledge_base

        return open_knowledge_base(self.settings, self.engine)

    @cached_property
    def agent(self) -> Agent:
        """Return the conversational agent wired to the knowledge base."""
        from agent.service import build_agent

        return build_agent(self.settings, self.engine, self.knowledge, self.clock)

    @cached_property
    def dispatcher(self) -> Dispatcher:
        """Return the webhook dispatcher for the outbox."""
        from handoff.dispatcher import build_dispatcher

        return build_dispatcher(self.settings, self.engine, self.clock)


def create_app(services: Services | None = None, *, start_dispatcher: bool = True) -> FastAPI:
    """Build the FastAPI app around a service container."""
    from api.cors import install_site_cors
    from api.routes import (
        conversations,
        handoffs,
        insights,
        keys,
        knowledge,
        pages,
        qualification_settings,
        webhooks,
    )

    svc = services or Services()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if start_dispatcher:
            svc.dispatcher.start()
        try:
            yield
        finally:
            if start_dispatcher:
                svc.dispatcher.stop()

    app = FastAPI(
        title="Baton",
        version="0.1.0",
        summary="Lead-qualification chat agent: grounded answers, BANT, sales handoff.",
        lifespan=lifespan,
    )
    app.state.services = svc
    for module in (
        keys,
        knowledge,
        conversations,
        qualification_settings,
        handoffs,
        webhooks,
        insights,
        pages,
    ):
        app.include_router(module.router)
    _install_error_handlers(app)
    install_site_cors(app, svc.engine)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, Any]:
        """Report that the process is up and the database answers."""
        with svc.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        return {"status": "ok"}

    return app


def _install_error_handlers(app: FastAPI) -> None:
    """Answer every error as JSON with a clear message, never an HTML page or a bare 500."""

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_req: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            {"error": _status_name(exc.status_code), "detail": exc.detail},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_req: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        message = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
        return JSONResponse(
            {"error": "validation_error", "detail": message, "errors": errors}, status_code=422
        )

    @app.exception_handler(Exception)
    async def _unexpected(_req: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse(
            {"error": "internal_error", "detail": "internal error; it has been logged"},
            status_code=500,
        )


def _status_name(code: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(code).phrase.lower().replace(" ", "_")
    except ValueError:
        return "error"
