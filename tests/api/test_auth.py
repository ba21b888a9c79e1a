"""Bearer tokens: what the API accepts, and what never reaches the logs."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from api.middleware import RedactAccessTokens
from cli.main import app as tenderctl
from core.settings import get_settings
from core.tokens import issue_token
from models.actors import Role
from tests.api.builders import ORG, assert_problem, bearer
from tests.fixtures.api import TEST_JWT_SECRET, ApiStack

SQLITE_ONLY = pytest.mark.parametrize("fresh_database_url", ["sqlite"], indirect=True)


@SQLITE_ONLY
async def test_expired_token_is_401(api: ApiStack) -> None:
    token = issue_token(
        api.settings,
        sub="anna",
        role=Role.BROKER,
        org=ORG,
        ttl=timedelta(minutes=5),
        now=datetime.now(UTC) - timedelta(hours=1),
    )

    assert_problem(await api.http.get("/tenders", headers=bearer(token)), 401)


@SQLITE_ONLY
async def test_tenderctl_token_is_accepted_by_the_api(
    api: ApiStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TENDER_JWT_SECRET", TEST_JWT_SECRET)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(
            tenderctl, ["token", "--role", "broker", "--org", ORG, "--sub", "anna"]
        )
    finally:
        get_settings.cache_clear()

    assert result.exit_code == 0, result.output
    response = await api.http.get("/tenders", headers=bearer(result.output.strip()))
    assert response.status_code == 200


def test_tenderctl_refuses_a_broker_without_organisation() -> None:
    result = CliRunner().invoke(tenderctl, ["token", "--role", "broker", "--sub", "a"])

    assert result.exit_code != 0


def test_access_log_masks_insurer_link_tokens() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/insurer/access/s3cr3t-token-value", "1.1", 200),
        None,
    )

    RedactAccessTokens().filter(record)

    assert "s3cr3t" not in record.getMessage()
    assert "/insurer/access/***" in record.getMessage()
