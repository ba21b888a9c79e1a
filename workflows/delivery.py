"""Sends the notices of projected steps through the delivery activity.

One activity runs at a time per tender; notices projected while it runs go
out with the next one, so a busy tender does not fill its history with
deliveries. An update never waits for a delivery: an SMTP outage delays the
mails, not the answers.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from models.projection import DeliverNotifications, DeliveryResult

DELIVERY_ATTEMPT_TIMEOUT = timedelta(minutes=2)
DELIVERY_GIVE_UP_AFTER = timedelta(days=3)
DELIVERY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=30),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=30),
    maximum_attempts=0,
)


class NoticeDelivery:
    def __init__(self, tender_id: str) -> None:
        self._tender_id = tender_id
        self._waiting: list[str] = []
        self._task: asyncio.Task[None] | None = None

    def send(self, notification_ids: list[str]) -> None:
        if not notification_ids:
            return
        self._waiting.extend(notification_ids)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain())

    def idle(self) -> bool:
        return not self._waiting and (self._task is None or self._task.done())

    async def _drain(self) -> None:
        while self._waiting:
            ids, self._waiting = self._waiting, []
            try:
                await workflow.execute_activity(
                    "deliver_notices",
                    DeliverNotifications(
                        tender_id=self._tender_id, notification_ids=ids
                    ),
                    result_type=DeliveryResult,
                    start_to_close_timeout=DELIVERY_ATTEMPT_TIMEOUT,
                    schedule_to_close_timeout=DELIVERY_GIVE_UP_AFTER,
                    retry_policy=DELIVERY_RETRY,
                    summary=f"deliver {len(ids)} notices",
                )
            except ActivityError:
                # The rows stay pending in the outbox, where ops can resend them.
                workflow.logger.error(
                    "notices_undelivered",
                    extra={"tender_id": self._tender_id, "notices": len(ids)},
                )
