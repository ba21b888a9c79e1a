"""Who is calling: `Authorization: Bearer` turned into a Principal.

Two kinds of bearer token are accepted: a signed JWT (brokers, backoffice
agents, insurer users, admins, ops) and an insurer's opaque access token from an
invitation link, which is valid for that one request only.
"""

from __future__ import annotations

import structlog
from fastapi.security import HTTPBearer
from pydantic import BaseModel
from sqlmodel import Session

from api.problems import ProblemError
from core.settings import Settings
from core.tokens import InvalidToken, access_token_sha256, looks_like_jwt, verify_token
from models.actors import Actor, Role
from store import queries

log = structlog.get_logger(__name__)

bearer_scheme = HTTPBearer(
    auto_error=False,
    description="A JWT from `tenderctl token`, or an insurer's access token",
)

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="tenders"'}


class Principal(BaseModel):
    """The authenticated caller."""

    role: Role
    subject: str
    organisation_id: str | None = None
    organisations: frozenset[str] = frozenset()
    insurer_id: str | None = None
    name: str | None = None
    scoped_request_id: str | None = None
    scoped_tender_id: str | None = None

    @property
    def actor(self) -> Actor:
        return Actor(
            role=self.role,
            user_id=self.subject,
            organisation_id=self.organisation_id,
            insurer_id=self.insurer_id,
            display_name=self.name,
        )

    @property
    def sees_every_organisation(self) -> bool:
        return self.role in (Role.ADMIN, Role.OPS)

    def visible_organisations(self) -> frozenset[str] | None:
        """Organisations whose tenders the caller may see; None means all."""
        if self.sees_every_organisation:
            return None
        if self.role is Role.BACKOFFICE and self.organisations:
            return self.organisations
        if self.role in (Role.BROKER, Role.BACKOFFICE) and self.organisation_id:
            return frozenset({self.organisation_id})
        return frozenset()

    def may_see_organisation(self, organisation_id: str) -> bool:
        visible = self.visible_organisations()
        return visible is None or organisation_id in visible


def unauthenticated(detail: str) -> ProblemError:
    return ProblemError(401, "unauthenticated", detail, headers=_CHALLENGE)


def principal_from_token(settings: Settings, session: Session, token: str) -> Principal:
    if looks_like_jwt(token):
        try:
            claims = verify_token(settings, token)
        except InvalidToken as error:
            log.info("token_rejected", reason=str(error))
            raise unauthenticated("The bearer token is not valid.") from None
        if claims.role is Role.SYSTEM:
            raise unauthenticated("The bearer token is not valid.")
        return Principal(
            role=claims.role,
            subject=claims.sub,
            organisation_id=claims.org,
            organisations=frozenset(claims.orgs),
            insurer_id=claims.insurer_id,
            name=claims.name,
        )

    match = queries.find_request_by_token_hash(session, access_token_sha256(token))
    if match is None:
        log.info("access_token_rejected")
        raise unauthenticated("The access link is not valid.")
    return access_principal(match)


def access_principal(match: queries.RequestMatch) -> Principal:
    """The insurer behind an invitation link, scoped to that one request."""
    request = match.request
    return Principal(
        role=Role.INSURER,
        subject=f"access:{request.request_id}",
        insurer_id=request.insurer_id,
        name=request.insurer_name,
        scoped_request_id=request.request_id,
        scoped_tender_id=match.tender_id,
    )
