"""Service settings: environment variables prefixed TENDER_, or a .env file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
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

    jwt_secret: str = DEVELOPMENT_JWT_SECRET
    jwt_issuer: str = "tender-orchestrator"
    jwt_audience: str = "tender-api"

    mail_from: str = "no-reply@tenders.example"

    log_format: Literal["console", "json", "auto"] = "auto"
    log_level: str = "INFO"

    @model_validator(mode="after")
    def _production_needs_own_key(self) -> Settings:
        if self.environment == "production" and self.jwt_secret == DEVELOPMENT_JWT_SECRET:
            raise ValueError(
                "TENDER_JWT_SECRET must be set outside development: "
                "the default signing key is public"
            )
        return self

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'tenders.db').as_posix()}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
