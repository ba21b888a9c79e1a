"""Bearer tokens: HS256 JWTs for people and systems, opaque links for insurers.

A JWT names the caller (`sub`), their role, their organisation (`org`), the
organisations a backoffice agent serves (`orgs`) and, for insurer users, the
insurer they speak for. Insurers invited by e-mail get an opaque random token
instead; only its sha256 is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

import jwt
from pydantic import BaseModel, Field, ValidationError

from core.settings import Settings
from models.actors import Role

ALGORITHM = "HS256"
DEFAULT_TTL = timedelta(hours=8)
ACCESS_TOKEN_BYTES = 32


class InvalidToken(Exception):
    """The token is malformed, expired, badly signed or carries bad claims."""


class TokenClaims(BaseModel):
    sub: str = Field(min_length=1, max_length=200)
    role: Role
    org: str | None = Field(default=None, max_length=100)
    orgs: list[str] = Field(default_factory=list, max_length=500)
    insurer_id: str | None = Field(default=None, max_length=100)
    name: str | None = Field(default=None, max_length=200)


def issue_token(
    settings: Settings,
    *,
    sub: str,
    role: Role,
    org: str | None = None,
    orgs: list[str] | None = None,
    insurer_id: str | None = None,
    name: str | None = None,
    ttl: timedelta = DEFAULT_TTL,
    now: datetime | None = None,
) -> str:
    claims = TokenClaims(
        sub=sub, role=role, org=org, orgs=orgs or [], insurer_id=insurer_id, name=name
    )
    issued = now or datetime.now(UTC)
    payload = {
        **claims.model_dump(mode="json", exclude_none=True),
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": int(issued.timestamp()),
        "exp": int((issued + ttl).timestamp()),
    }
    return jwt.encode(payload, settings.jwt_secret, algorithm=ALGORITHM)


def verify_token(settings: Settings, token: str) -> TokenClaims:
    try:
        payload = jwt.decode(
            token,
            settings.jwt_secret,
            algorithms=[ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["sub", "iat", "exp", "iss", "aud"]},
        )
    except jwt.PyJWTError as error:
        raise InvalidToken(type(error).__name__) from None
    try:
        return TokenClaims.model_validate(payload)
    except ValidationError:
        raise InvalidToken("invalid claims") from None


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2


def new_access_token() -> str:
    """An insurer's per-request link token (URL-safe, 256 bits)."""
    return secrets.token_urlsafe(ACCESS_TOKEN_BYTES)


def access_token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
