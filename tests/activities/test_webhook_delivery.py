from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.delivery import WEBHOOK_DEFERRED, DeliveryActivities
from core.settings import Settings
from models.projection import DeliverNotifications, DeliveryResult
from store.tables import STATUS_PENDING, STATUS_SENT, WEBHOOK_GONE
from tests.activities import builders
from tests.fixtures.smtp import WebhookReceiver, free_port


async def _deliver(
    engine: Engine, settings: Settings, job: DeliverNotifications
) -> DeliveryResult:
    activities = DeliveryActivities(engine, settings)
    return await ActivityEnvironment().run(activities.deliver_webhooks, job)


def _settings(url: str, secret: str | None = None) -> Settings:
    return builders.settings(
        webhook_url=url, webhook_secret=secret or builders.webhook_secret()
    )


def _ids(receiver: WebhookReceiver) -> list[str]:
    return [request.headers["webhook-id"] for request in receiver.requests]


async def test_each_notification_is_one_signed_event_with_ids_only(
    engine: Engine, webhook_receiver: WebhookReceiver
) -> None:
    job = builders.seed(engine)
    secret = builders.webhook_secret()

    result = await _deliver(engine, _settings(webhook_receiver.url, secret), job)

    assert result == DeliveryResult(sent=2)
    assert _ids(webhook_receiver) == ["n-t-1-confirmation", "n-t-1-invitation"]
    request = webhook_receiver.requests[1]
    assert request.path == "/hooks/tenders"
    assert request.headers["content-type"] == "application/json"
    payload = Webhook(secret).verify(request.body, request.headers)
    assert payload == {
        "type": "tender.insurer_invitation",
        "timestamp": "2026-03-02T10:30:01Z",
        "data": {
            "tender_id": "t-1",
            "request_id": "r-t-1",
            "kind": "insurer_invitation",
        },
    }
    assert "@" not in request.body.decode()


async def test_another_secret_or_a_changed_body_does_not_verify(
    engine: Engine, webhook_receiver: WebhookReceiver
) -> None:
    job = builders.seed(engine)
    secret = builders.webhook_secret()

    await _deliver(engine, _settings(webhook_receiver.url, secret), job)

    request = webhook_receiver.requests[0]
    with pytest.raises(WebhookVerificationError):
        Webhook(builders.webhook_secret()).verify(request.body, request.headers)
    changed = json.loads(request.body)
    changed["data"]["tender_id"] = "t-other"
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(json.dumps(changed), request.headers)


async def test_delivered_events_are_marked_and_not_posted_again(
    engine: Engine, webhook_receiver: WebhookReceiver
) -> None:
    job = builders.seed(engine)
    settings = _settings(webhook_receiver.url)

    await _deliver(engine, settings, job)
    again = await _deliver(engine, settings, job)

    assert again == DeliveryResult(skipped=2)
    assert len(webhook_receiver.requests) == 2
    row = builders.row(engine, "n-t-1-confirmation")
    assert (row.webhook_status, row.webhook_attempts) == (STATUS_SENT, 1)
    assert row.webhook_sent_at is not None
    assert row.status == STATUS_PENDING


async def test_without_a_url_nothing_is_posted(
    engine: Engine, webhook_receiver: WebhookReceiver
) -> None:
    job = builders.seed(engine)

    result = await _deliver(engine, builders.settings(), job)

    assert result == DeliveryResult(skipped=2)
    assert webhook_receiver.requests == []
    assert builders.row(engine, "n-t-1-confirmation").webhook_status is None


async def test_a_receiver_error_raises_and_the_event_is_retried(
    engine: Engine, webhook_receiver: WebhookReceiver
) -> None:
    job = builders.seed(engine)
    settings = _settings(webhook_receiver.url)
    webhook_receiver.answer(500)

    with pytest.raises(ApplicationError) as raised:
        await _deliver(engine, settings, job)

    assert raised.value.type == WEBHOOK_DEFERRED
    assert not raised.value.non_retryable
    failed = builders.row(engine, "n-t-1-confirmation")
    assert (failed.webhook_status, failed.webhook_attempts) == (None, 1)
    assert failed.webhook_last_error == "http 500"
    assert builders.row(engine, "n-t-1-invitation").webhook_status == STATUS_SENT

    assert await _deliver(engine, settings, job) == DeliveryResult(sent=1, skipped=1)
    assert _ids(webhook_receiver) == [
        "n-t-1-confirmation",
        "n-t-1-invitation",
        "n-t-1-confirmation",
    ]
    assert builders.row(engine, "n-t-1-confirmation").webhook_attempts == 2


async def test_gone_stops_that_event_for_good(
    engine: Engine, webhook_receiver: WebhookReceiver
) -> None:
    job = builders.seed(engine)
    settings = _settings(webhook_receiver.url)
    webhook_receiver.answer(410)

    result = await _deliver(engine, settings, job)

    assert result == DeliveryResult(sent=1, failed=1)
    gone = builders.row(engine, "n-t-1-confirmation")
    assert (gone.webhook_status, gone.webhook_last_error) == (WEBHOOK_GONE, "http 410")
    assert await _deliver(engine, settings, job) == DeliveryResult(skipped=2)
    assert len(webhook_receiver.requests) == 2


async def test_an_unreachable_receiver_raises_and_counts_one_attempt(
    engine: Engine,
) -> None:
    job = builders.seed(engine)
    settings = _settings(f"http://127.0.0.1:{free_port()}/hooks")

    with pytest.raises(ApplicationError) as raised:
        await _deliver(engine, settings, job)

    assert raised.value.details == (
        {"notification_ids": ["n-t-1-confirmation", "n-t-1-invitation"]},
    )
    first = builders.row(engine, "n-t-1-confirmation")
    assert (first.webhook_attempts, first.webhook_last_error) == (
        1,
        "unreachable: ConnectError",
    )
    assert builders.row(engine, "n-t-1-invitation").webhook_attempts == 0
