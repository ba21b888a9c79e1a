"""Service settings: environment variables prefixed TENDER_, or a .env file."""

from __future__ import annotations

import base64
import binascii
from email.utils import parseaddr
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_JWT_SECRET = "development-only-signing-key-do-not-deploy"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TENDER_", env_file=".env", extra="ignore"
    )

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("var")
    database_url: str = Field(
        default="", description="SQLAlchemy URL; defaults to a SQLite file in data_dir"
    )

    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    task_queue: str = "tenders"
    temporal_rpc_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    temporal_port: int = Field(default=7233, description="dev server (devstack) only")
    temporal_ui_port: int = Field(default=8233, description="dev server UI")

    max_concurrent_activities: int = Field(default=16, ge=1)
    max_cached_workflows: int = Field(default=1000, ge=0)
    worker_shutdown_grace_seconds: float = Field(default=30.0, ge=0)

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    public_base_url: str = "http://127.0.0.1:8000"
    max_body_bytes: int = Field(
        default=1024 * 1024, ge=1024, description="larger request bodies get 413"
    )

    jwt_secret: str = DEVELOPMENT_JWT_SECRET
    jwt_issuer: str = "tender-orchestrator"
    jwt_audience: str = "tender-api"

    mail_from: str = "no-reply@tenders.example"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=8025, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = Field(default=30.0, gt=0, le=300)

    webhook_url: str = Field(default="", description="broker platform; empty = off")
    webhook_secret: SecretStr = Field(
        default=SecretStr(""), description='Standard Webhooks secret "whsec_<base64>"'
    )
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=120)

    log_format: Literal["console", "json", "auto"] = "auto"
    log_level: str = "INFO"

    @model_validator(mode="after")
    def _production_needs_own_key(self) -> Settings:
        default_key = self.jwt_secret == DEVELOPMENT_JWT_SECRET
        if self.environment == "production" and default_key:
            raise ValueError(
                "TENDER_JWT_SECRET must be set outside development: "
                "the default signing key is public"
            )
        return self

    @field_validator("mail_from")
    @classmethod
    def _mail_from_is_an_address(cls, value: str) -> str:
        _, address = parseaddr(value)
        if "@" not in address or not address.rpartition("@")[2]:
            raise ValueError("TENDER_MAIL_FROM must be an e-mail address")
        return value

    @model_validator(mode="after")
    def _smtp_login_is_complete(self) -> Settings:
        password = self.smtp_password.get_secret_value() if self.smtp_password else ""
        if bool(self.smtp_username) != bool(password):
            raise ValueError("set both TENDER_SMTP_USERNAME and TENDER_SMTP_PASSWORD")
        return self

    @model_validator(mode="after")
    def _webhooks_are_signed(self) -> Settings:
        if not self.webhook_url:
            return self
        parts = urlsplit(self.webhook_url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError("TENDER_WEBHOOK_URL must be an http(s) URL")
        secret = self.webhook_secret.get_secret_value()
        if not secret.startswith("whsec_"):
            raise ValueError('TENDER_WEBHOOK_SECRET must look like "whsec_<base64>"')
        try:
            body = secret.removeprefix("whsec_")
            key = base64.b64decode(body + "=" * (-len(body) % 4), validate=True)
        except binascii.Error as error:
            raise ValueError("TENDER_WEBHOOK_SECRET is not valid base64") from error
        if len(key) < 24:
            raise ValueError("TENDER_WEBHOOK_SECRET needs at least 24 random bytes")
        return self

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'tenders.db').as_posix()}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
