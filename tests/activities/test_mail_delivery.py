from __future__ import annotations

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session
from structlog.testing import capture_logs
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.delivery import MAIL_DEFERRED, DeliveryActivities
from core.settings import Settings
from models.projection import DeliverNotifications, DeliveryResult
from store.tables import STATUS_FAILED, STATUS_PENDING, STATUS_SENT, OutboxRecord
from tests.activities import builders
from tests.fixtures.smtp import SmtpServer, free_port


async def _deliver(
    engine: Engine, settings: Settings, job: DeliverNotifications
) -> DeliveryResult:
    activities = DeliveryActivities(engine, settings)
    return await ActivityEnvironment().run(activities.deliver_notifications, job)


def _received_by(server: SmtpServer, address: str) -> list:
    return [mail for mail in server.messages if mail.rcpt_tos == [address]]


async def test_pending_mails_arrive_as_plain_text_from_the_no_reply_sender(
    engine: Engine, smtp_server: SmtpServer
) -> None:
    job = builders.seed(engine)
    settings = builders.settings(smtp_port=smtp_server.port)

    result = await _deliver(engine, settings, job)

    assert result == DeliveryResult(sent=2)
    invitation = builders.row(engine, "n-t-1-invitation")
    [mail] = _received_by(smtp_server, builders.INSURER_EMAIL)
    message = mail.message
    assert mail.mail_from == builders.NO_REPLY
    assert message["From"] == builders.MAIL_FROM
    assert message["To"] == builders.INSURER_EMAIL
    assert message["Subject"] == invitation.subject
    assert "Betriebshaftpflichtversicherung" in message["Subject"]
    assert message["Message-ID"] == "<n-t-1-invitation@tenders.example>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Reply-To"] is None
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    text = message.get_content().replace("\r\n", "\n")
    assert text == invitation.body
    assert "Vorschäden der letzten fünf Jahre" in text
    assert message["Date"].datetime == invitation.created_at


async def test_delivered_rows_are_marked_sent(
    engine: Engine, smtp_server: SmtpServer
) -> None:
    job = builders.seed(engine)

    await _deliver(engine, builders.settings(smtp_port=smtp_server.port), job)

    for notification_id in job.notification_ids:
        row = builders.row(engine, notification_id)
        assert row.status == STATUS_SENT
        assert row.attempts == 1
        assert row.sent_at is not None
        assert row.last_error is None


async def test_a_second_run_sends_nothing_twice(
    engine: Engine, smtp_server: SmtpServer
) -> None:
    job = builders.seed(engine)
    settings = builders.settings(smtp_port=smtp_server.port)

    await _deliver(engine, settings, job)
    again = await _deliver(engine, settings, job)

    assert again == DeliveryResult(skipped=2)
    assert len(smtp_server.messages) == 2
    assert builders.row(engine, "n-t-1-confirmation").attempts == 1


async def test_only_listed_rows_of_the_given_tender_are_sent(
    engine: Engine, smtp_server: SmtpServer
) -> None:
    builders.seed(engine, "t-1")
    builders.seed(engine, "t-2")
    job = DeliverNotifications(
        tender_id="t-1",
        notification_ids=["n-t-1-confirmation", "n-t-2-invitation", "n-unknown"],
    )

    result = await _deliver(engine, builders.settings(smtp_port=smtp_server.port), job)

    assert result == DeliveryResult(sent=1, skipped=2)
    assert [m.message["Message-ID"] for m in smtp_server.messages] == [
        "<n-t-1-confirmation@tenders.example>"
    ]
    assert builders.row(engine, "n-t-2-invitation").status == STATUS_PENDING


async def test_a_resend_carries_the_same_message_id_and_text(
    engine: Engine, smtp_server: SmtpServer
) -> None:
    job = builders.seed(engine)
    settings = builders.settings(smtp_port=smtp_server.port)
    await _deliver(engine, settings, job)
    with Session(engine) as session:
        session.exec(update(OutboxRecord).values(status=STATUS_PENDING))
        session.commit()

    await _deliver(engine, settings, job)

    first, second = _received_by(smtp_server, builders.BROKER_EMAIL)
    assert first.message["Message-ID"] == second.message["Message-ID"]
    assert first.raw == second.raw


async def test_an_unreachable_server_raises_and_keeps_the_rows_pending(
    engine: Engine, smtp_server: SmtpServer
) -> None:
    job = builders.seed(engine)
    down = builders.settings(smtp_port=free_port())

    for _ in range(2):
        with pytest.raises(ApplicationError) as raised:
            await _deliver(engine, down, job)
        assert raised.value.type == MAIL_DEFERRED
        assert not raised.value.non_retryable

    row = builders.row(engine, "n-t-1-invitation")
    assert (row.status, row.attempts) == (STATUS_PENDING, 2)
    assert row.last_error == "connect failed: ConnectionRefusedError"

    up = builders.settings(smtp_port=smtp_server.port)
    assert await _deliver(engine, up, job) == DeliveryResult(sent=2)
    assert builders.row(engine, "n-t-1-invitation").attempts == 3


async def test_a_permanent_refusal_marks_the_row_failed_and_the_rest_is_sent(
    engine: Engine, smtp_server: SmtpServer
) -> None:
    job = builders.seed(engine)
    settings = builders.settings(smtp_port=smtp_server.port)
    smtp_server.refuse(
        builders.INSURER_EMAIL, f"550 5.1.1 <{builders.INSURER_EMAIL}> unknown user"
    )

    result = await _deliver(engine, settings, job)

    assert result == DeliveryResult(sent=1, failed=1)
    refused = builders.row(engine, "n-t-1-invitation")
    assert (refused.status, refused.attempts) == (STATUS_FAILED, 1)
    assert refused.last_error == "recipient refused: 550 5.1.1"
    assert builders.row(engine, "n-t-1-confirmation").status == STATUS_SENT

    smtp_server.refusals.clear()
    assert await _deliver(engine, settings, job) == DeliveryResult(skipped=2)
    assert _received_by(smtp_server, builders.INSURER_EMAIL) == []


async def test_a_temporary_refusal_raises_after_the_rest_is_sent(
    engine: Engine, smtp_server: SmtpServer
) -> None:
    job = builders.seed(engine)
    settings = builders.settings(smtp_port=smtp_server.port)
    smtp_server.refuse(builders.BROKER_EMAIL, "450 4.2.1 Mailbox busy, try later")

    with pytest.raises(ApplicationError) as raised:
        await _deliver(engine, settings, job)

    assert raised.value.type == MAIL_DEFERRED
    assert raised.value.details == ({"notification_ids": ["n-t-1-confirmation"]},)
    deferred = builders.row(engine, "n-t-1-confirmation")
    assert (deferred.status, deferred.attempts) == (STATUS_PENDING, 1)
    assert deferred.last_error == "recipient refused: 450 4.2.1"
    assert len(_received_by(smtp_server, builders.INSURER_EMAIL)) == 1

    smtp_server.refusals.clear()
    assert await _deliver(engine, settings, job) == DeliveryResult(sent=1, skipped=1)
    assert len(smtp_server.messages) == 2


async def test_logs_name_ids_and_codes_but_no_addresses(
    engine: Engine, smtp_server: SmtpServer
) -> None:
    job = builders.seed(engine)
    smtp_server.refuse(
        builders.INSURER_EMAIL, f"550 5.1.1 <{builders.INSURER_EMAIL}> unknown user"
    )

    with capture_logs() as logs:
        await _deliver(engine, builders.settings(smtp_port=smtp_server.port), job)

    events = {entry["event"]: entry for entry in logs}
    assert events["notification_sent"]["notification_id"] == "n-t-1-confirmation"
    assert events["notification_refused"]["reason"] == "recipient refused: 550 5.1.1"
    assert events["notifications_delivered"]["sent"] == 1
    assert "@" not in repr(logs)
