"""Dependency aliases the routers declare: settings, session, Temporal, caller."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

import structlog
from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials
from sqlmodel import Session

from api.problems import ProblemError
from api.security import Principal, bearer_scheme, principal_from_token, unauthenticated
from api.tender_client import TenderClient
from core.settings import Settings
from models.actors import Role


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_tender_client(request: Request, settings: SettingsDep) -> TenderClient:
    return TenderClient(request.app.state.temporal, settings)


TemporalDep = Annotated[TenderClient, Depends(get_tender_client)]


def get_principal(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    if credentials is None or not credentials.credentials:
        raise unauthenticated("Send `Authorization: Bearer <token>`.")
    principal = principal_from_token(settings, session, credentials.credentials)
    structlog.contextvars.bind_contextvars(role=principal.role.value)
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def allow(*roles: Role) -> Any:
    """`Depends` on a caller with one of `roles`; anyone else gets 403."""
    allowed = frozenset(roles)

    def check(principal: PrincipalDep) -> Principal:
        if principal.role not in allowed:
            raise ProblemError(403, "forbidden", "Your role may not do this.")
        return principal

    return Depends(check)


BrokerDep = Annotated[Principal, allow(Role.BROKER)]
BackofficeDep = Annotated[Principal, allow(Role.BACKOFFICE)]
HandlerDep = Annotated[Principal, allow(Role.BROKER, Role.BACKOFFICE)]
ReaderDep = Annotated[
    Principal, allow(Role.BROKER, Role.BACKOFFICE, Role.ADMIN, Role.OPS)
]
InsurerDep = Annotated[Principal, allow(Role.INSURER)]
AdminDep = Annotated[Principal, allow(Role.ADMIN)]

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Repeat a request safely: the same key gives the same outcome",
    ),
]
