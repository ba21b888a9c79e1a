"""The HTTP API: `uvicorn --factory api.app:create_app`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI
from fastapi.routing import APIRoute

from api.middleware import (
    BodyLimitMiddleware,
    RequestContextMiddleware,
    redact_access_log,
)
from api.problems import install_problem_handlers
from api.routes import (
    admin,
    backoffice,
    comparison,
    health,
    insurer,
    tender_actions,
    tender_threads,
    tenders,
)
from core.settings import Settings, get_settings
from core.temporal import connect
from store.db import make_engine

log = structlog.get_logger(__name__)

DESCRIPTION = """\
Tenders (Ausschreibungen) for commercial insurance: brokers start them, the
backoffice or the broker runs them, insurers answer with quotes or declines.

Authenticate with `Authorization: Bearer <token>`: a JWT (`tenderctl token`) or,
for the insurer portal, the access token from an invitation link. Errors are
`application/problem+json` with a stable `code`.
"""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    engine = make_engine(settings.sqlalchemy_url)
    app.state.engine = engine
    app.state.temporal = await connect(settings, lazy=True)
    log.info(
        "api_started",
        temporal_address=settings.temporal_address,
        namespace=settings.temporal_namespace,
        task_queue=settings.task_queue,
    )
    try:
        yield
    finally:
        engine.dispose()
        log.info("api_stopped")


def create_app(settings: Settings | None = None) -> FastAPI:
    app = FastAPI(
        title="Tender orchestrator",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs",
        openapi_tags=[
            {"name": "tenders", "description": "Start, list and read tenders"},
            {"name": "tender actions", "description": "Run a tender"},
            {"name": "threads", "description": "Messages, audit trail, e-mails"},
            {"name": "insurer", "description": "The insurer portal"},
            {"name": "backoffice", "description": "The backoffice work queue"},
            {"name": "admin", "description": "Processing-mode policies"},
            {"name": "health", "description": "Liveness"},
        ],
    )
    app.state.settings = settings or get_settings()
    install_problem_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=app.state.settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware)
    redact_access_log()
    routers = [m.router for m in (health, tenders, comparison, tender_actions,
                                  tender_threads, insurer, backoffice,
                                  admin)]  # fmt: skip
    for router in routers:
        app.include_router(router)
    app.state.api_routes = [
        route for router in routers for route in router.routes
        if isinstance(route, APIRoute)
    ]  # fmt: skip
    return app
