"""Liveness for orchestrators and load balancers."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str = Field(examples=["ok"])


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    """The process is up and serving requests."""
    return Health(status="ok")
