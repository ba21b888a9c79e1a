"""The delivery activities on a real worker, called the way the workflow will."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    import uuid
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import Engine
    from temporalio.testing import WorkflowEnvironment
    from temporalio.worker import Worker

    from activities.delivery import DeliveryActivities
    from models.projection import DeliverNotifications, DeliveryResult
    from store.tables import STATUS_SENT
    from tests.activities import builders
    from tests.fixtures.smtp import SmtpServer, WebhookReceiver

FAST_RETRY = RetryPolicy(
    initial_interval=timedelta(milliseconds=100),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=1),
)


@workflow.defn(name="delivery_probe")
class DeliveryProbe:
    @workflow.run
    async def run(self, job: DeliverNotifications) -> list[DeliveryResult]:
        options = {
            "start_to_close_timeout": timedelta(seconds=30),
            "retry_policy": FAST_RETRY,
            "result_type": DeliveryResult,
        }
        mail = workflow.execute_activity("deliver_notifications", job, **options)
        hooks = workflow.execute_activity("deliver_webhooks", job, **options)
        return [await mail, await hooks]


async def test_a_deferred_mail_is_sent_by_the_retried_activity(
    time_skipping_env: WorkflowEnvironment,
    engine: Engine,
    smtp_server: SmtpServer,
    webhook_receiver: WebhookReceiver,
) -> None:
    job = builders.seed(engine)
    settings = builders.settings(
        smtp_port=smtp_server.port,
        webhook_url=webhook_receiver.url,
        webhook_secret=builders.webhook_secret(),
    )
    smtp_server.refuse(builders.BROKER_EMAIL, "451 4.3.0 Try again later", times=1)
    webhook_receiver.answer(503)
    activities = DeliveryActivities(engine, settings)
    queue = f"delivery-{uuid.uuid4()}"

    with ThreadPoolExecutor(max_workers=4) as pool:
        async with Worker(
            time_skipping_env.client,
            task_queue=queue,
            workflows=[DeliveryProbe],
            activities=[activities.deliver_notifications, activities.deliver_webhooks],
            activity_executor=pool,
        ):
            mail, hooks = await time_skipping_env.client.execute_workflow(
                DeliveryProbe.run,
                job,
                id=f"delivery-probe-{uuid.uuid4()}",
                task_queue=queue,
                result_type=list[DeliveryResult],
            )

    assert mail == DeliveryResult(sent=1, skipped=1)
    assert hooks == DeliveryResult(sent=1, skipped=1)
    assert len(smtp_server.messages) == 2
    assert len(webhook_receiver.requests) == 3
    broker_mail = builders.row(engine, "n-t-1-confirmation")
    assert (broker_mail.status, broker_mail.attempts) == (STATUS_SENT, 2)
    assert (broker_mail.webhook_status, broker_mail.webhook_attempts) == (
        STATUS_SENT,
        2,
    )
