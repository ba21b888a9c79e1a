"""Who acts on a tender. The API authenticates callers; workflows see actors."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class Role(StrEnum):
    BROKER = "broker"
    BACKOFFICE = "backoffice"
    INSURER = "insurer"
    ADMIN = "admin"
    OPS = "ops"
    SYSTEM = "system"


class Actor(BaseModel):
    role: Role
    user_id: str = Field(min_length=1, max_length=200)
    organisation_id: str | None = Field(default=None, max_length=100)
    insurer_id: str | None = Field(default=None, max_length=100)
    display_name: str | None = Field(default=None, max_length=200)


SYSTEM = Actor(role=Role.SYSTEM, user_id="system")
