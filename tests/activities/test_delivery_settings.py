from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from core.settings import Settings
from tests.activities import builders


def test_the_defaults_send_to_the_local_mail_catcher_without_webhooks() -> None:
    settings = Settings(_env_file=None)

    assert (settings.smtp_host, settings.smtp_port) == ("127.0.0.1", 8025)
    assert settings.webhook_url == ""
    assert settings.smtp_username is None


def test_a_webhook_url_with_a_standard_webhooks_secret_is_accepted() -> None:
    settings = builders.settings(
        webhook_url="https://broker.example/hooks",
        webhook_secret=builders.webhook_secret(),
    )

    assert settings.webhook_url == "https://broker.example/hooks"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        # a webhook needs a secret of the Standard Webhooks form
        ({"webhook_url": "https://broker.example/hooks"}, "whsec_"),
        (
            {"webhook_url": "https://broker.example/hooks", "webhook_secret": "s3cret"},
            "whsec_",
        ),
        (
            {"webhook_url": "https://b.example/h", "webhook_secret": "whsec_%%%"},
            "base64",
        ),
        # 16 bytes is below the 24 the standard asks for
        (
            {
                "webhook_url": "https://b.example/h",
                "webhook_secret": "whsec_" + "A" * 22,
            },
            "24 random bytes",
        ),
        ({"webhook_url": "ftp://broker.example/hooks"}, "http(s) URL"),
        ({"smtp_username": "relay-user"}, "TENDER_SMTP_PASSWORD"),
        ({"smtp_password": "only-a-password"}, "TENDER_SMTP_USERNAME"),
        ({"smtp_port": 0}, "smtp_port"),
        ({"mail_from": "no-reply"}, "TENDER_MAIL_FROM"),
    ],
)
def test_incomplete_delivery_settings_are_refused_at_start(
    changes: dict, message: str
) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        builders.settings(**changes)
