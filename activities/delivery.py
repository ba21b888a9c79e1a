"""Delivery activities: send the outbox rows of a tender step.

`deliver_notifications` sends the e-mails, `deliver_webhooks` posts the signed
events to the broker platform, and `deliver_notices`, which tender workflows
call, runs both. The two receivers fail independently: each row keeps its own
delivery state per channel, so a retry repeats only what is missing.

Both are async (network I/O) and write the outbox in the worker's thread pool,
each row in its own short transaction right after its delivery. A row already
delivered is skipped, so a retry sends only what is still missing; an e-mail
sent whose row could not be marked goes out again with the same Message-ID.
A temporary failure is recorded on the row and raised at the end of the run so
that Temporal retries the activity; a refusal for good (SMTP 5xx, HTTP 410) is
recorded and not raised. Logs carry ids and status codes only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy import Engine
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.mail import MailError, MailTransport, build_message
from activities.webhooks import WebhookError, WebhookTransport
from core.settings import Settings
from models.projection import DeliverNotifications, DeliveryResult
from store import outbox
from store.db import make_session_factory
from store.tables import OutboxRecord

MAIL_DEFERRED = "MailDeliveryDeferred"
WEBHOOK_DEFERRED = "WebhookDeliveryDeferred"

logger = structlog.get_logger()


class DeliveryActivities:
    def __init__(self, engine: Engine, settings: Settings) -> None:
        self._sessions = make_session_factory(engine)
        self._settings = settings

    @activity.defn(name="deliver_notifications")
    async def deliver_notifications(self, job: DeliverNotifications) -> DeliveryResult:
        rows = await self._read(outbox.pending_rows, job)
        result = DeliveryResult(skipped=_count(job) - len(rows))
        if not rows:
            return self._done("notifications_delivered", job, result)

        transport = MailTransport(self._settings)
        try:
            await transport.connect()
        except MailError as error:
            for row in rows:
                await self._write(
                    outbox.record_attempt, row.notification_id, error.reason
                )
            self._deferred("notification_deferred", rows, error.reason)
            raise _retry(MAIL_DEFERRED, job, rows) from None

        deferred: list[OutboxRecord] = []
        try:
            for index, row in enumerate(rows):
                activity.heartbeat(row.notification_id)
                error = await self._send_mail(transport, row)
                if error is None:
                    result.sent += 1
                elif error.permanent:
                    result.failed += 1
                else:
                    deferred.append(row)
                if error is not None and error.connection_lost:
                    deferred.extend(rows[index + 1 :])
                    break
        finally:
            await transport.close()

        self._done("notifications_delivered", job, result, len(deferred))
        if deferred:
            raise _retry(MAIL_DEFERRED, job, deferred)
        return result

    @activity.defn(name="deliver_webhooks")
    async def deliver_webhooks(self, job: DeliverNotifications) -> DeliveryResult:
        if not self._settings.webhook_url:
            return DeliveryResult(skipped=_count(job))
        rows = await self._read(outbox.pending_webhook_rows, job)
        result = DeliveryResult(skipped=_count(job) - len(rows))

        deferred: list[OutboxRecord] = []
        transport = WebhookTransport(self._settings)
        try:
            for index, row in enumerate(rows):
                activity.heartbeat(row.notification_id)
                error = await self._post_webhook(transport, row)
                if error is None:
                    result.sent += 1
                elif error.gone:
                    result.failed += 1
                else:
                    deferred.append(row)
                if error is not None and error.unreachable:
                    deferred.extend(rows[index + 1 :])
                    break
        finally:
            await transport.close()

        self._done("webhooks_delivered", job, result, len(deferred))
        if deferred:
            raise _retry(WEBHOOK_DEFERRED, job, deferred)
        return result

    @activity.defn(name="deliver_notices")
    async def deliver_notices(self, job: DeliverNotifications) -> DeliveryResult:
        """Both channels in one activity, so a tender step costs one activity in
        its history. Each channel tries every row before a deferral is raised,
        so an SMTP outage does not hold back the webhooks or the other way round.
        """
        outcomes = [
            await _settled(self.deliver_notifications(job)),
            await _settled(self.deliver_webhooks(job)),
        ]
        deferrals = [o for o in outcomes if isinstance(o, ApplicationError)]
        if deferrals:
            raise deferrals[0]
        mail, webhooks = outcomes
        return DeliveryResult(
            sent=mail.sent + webhooks.sent,
            skipped=mail.skipped,
            failed=mail.failed + webhooks.failed,
        )

    async def _send_mail(
        self, transport: MailTransport, row: OutboxRecord
    ) -> MailError | None:
        try:
            message = build_message(row, self._settings.mail_from)
        except ValueError:
            error = MailError("message not buildable", permanent=True)
        else:
            try:
                await transport.send(message, row.recipient_email)
                error = None
            except MailError as refused:
                error = refused

        if error is None:
            await self._write(outbox.mark_sent, row.notification_id, _now())
            logger.info("notification_sent", **_ids(row))
        elif error.permanent:
            await self._write(outbox.mark_failed, row.notification_id, error.reason)
            logger.warning("notification_refused", reason=error.reason, **_ids(row))
        else:
            await self._write(outbox.record_attempt, row.notification_id, error.reason)
            self._deferred("notification_deferred", [row], error.reason)
        return error

    async def _post_webhook(
        self, transport: WebhookTransport, row: OutboxRecord
    ) -> WebhookError | None:
        try:
            await transport.post(row)
        except WebhookError as error:
            if error.gone:
                await self._write(
                    outbox.mark_webhook_gone, row.notification_id, error.reason
                )
                logger.warning("webhook_gone", reason=error.reason, **_ids(row))
            else:
                await self._write(
                    outbox.record_webhook_attempt, row.notification_id, error.reason
                )
                self._deferred("webhook_deferred", [row], error.reason)
            return error

        await self._write(outbox.mark_webhook_sent, row.notification_id, _now())
        logger.info("webhook_sent", **_ids(row))
        return None

    async def _read(
        self, query: Callable[..., list[OutboxRecord]], job: DeliverNotifications
    ) -> list[OutboxRecord]:
        def run() -> list[OutboxRecord]:
            with self._sessions() as session:
                return query(session, job.notification_ids, job.tender_id)

        return await asyncio.to_thread(run)

    async def _write(self, change: Callable[..., bool], *args: Any) -> bool:
        def run() -> bool:
            with self._sessions.begin() as session:
                return change(session, *args)

        return await asyncio.to_thread(run)

    @staticmethod
    def _deferred(event: str, rows: list[OutboxRecord], reason: str) -> None:
        for row in rows:
            logger.warning(event, reason=reason, **_ids(row))

    @staticmethod
    def _done(
        event: str, job: DeliverNotifications, result: DeliveryResult, deferred: int = 0
    ) -> DeliveryResult:
        logger.info(
            event,
            tender_id=job.tender_id,
            attempt=activity.info().attempt,
            sent=result.sent,
            skipped=result.skipped,
            failed=result.failed,
            deferred=deferred,
        )
        return result


async def _settled(
    delivery: Awaitable[DeliveryResult],
) -> DeliveryResult | ApplicationError:
    try:
        return await delivery
    except ApplicationError as deferred:
        return deferred


def _count(job: DeliverNotifications) -> int:
    return len(set(job.notification_ids))


def _ids(row: OutboxRecord) -> dict[str, Any]:
    return {
        "tender_id": row.tender_id,
        "notification_id": row.notification_id,
        "kind": row.kind,
        "attempt": activity.info().attempt,
    }


def _now() -> datetime:
    return datetime.now(UTC)


def _retry(
    error_type: str, job: DeliverNotifications, rows: list[OutboxRecord]
) -> ApplicationError:
    ids = [row.notification_id for row in rows]
    return ApplicationError(
        f"{len(ids)} of {_count(job)} deliveries of tender {job.tender_id} deferred",
        {"notification_ids": ids},
        type=error_type,
    )
