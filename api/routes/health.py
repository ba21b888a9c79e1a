"""Liveness and readiness for orchestrators and load balancers."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import structlog
from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from api.problems import ProblemError, problem_responses

router = APIRouter(tags=["health"])
log = structlog.get_logger(__name__)

READY_TIMEOUT_SECONDS = 2.0


class Health(BaseModel):
    status: str = Field(examples=["ok"])


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    """The process is up and serving requests."""
    return Health(status="ok")


@router.get("/readyz", response_model=Health, responses=problem_responses(503))
async def readyz(request: Request) -> Health:
    """The read model and the Temporal frontend both answer."""
    failing = [
        name
        for name, ok in (
            ("database", await _database_ok(request)),
            ("temporal", await _temporal_ok(request)),
        )
        if not ok
    ]
    if failing:
        log.warning("not_ready", failing=failing)
        raise ProblemError(503, "not_ready", f"Not answering: {', '.join(failing)}.")
    return Health(status="ok")


async def _database_ok(request: Request) -> bool:
    def ping() -> None:
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            await run_in_threadpool(ping)
    except Exception:
        return False
    return True


async def _temporal_ok(request: Request) -> bool:
    service = request.app.state.temporal.service_client
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            return await service.check_health(
                timeout=timedelta(seconds=READY_TIMEOUT_SECONDS)
            )
    except Exception:
        return False
