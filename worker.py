"""Worker process: runs tender workflows, the read-model and delivery activities.

``python worker.py`` migrates the read model, polls ``settings.task_queue`` and, on
SIGINT or SIGTERM, stops polling, lets in-flight activities finish within
``settings.worker_shutdown_grace_seconds`` and exits 0.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import weakref
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import timedelta

import structlog
from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.worker import Worker

from activities.delivery import DeliveryActivities
from activities.readmodel import ReadModelActivities
from core.logging import configure_logging, forward_temporal_core_logs
from core.settings import Settings, get_settings
from core.temporal import connect
from store.db import make_engine
from store.migrate import upgrade
from workflows.tender import TenderWorkflow

log = structlog.get_logger("worker")


def build_worker(
    client: Client,
    settings: Settings,
    engine: Engine,
    *,
    activity_executor: Executor | None = None,
) -> Worker:
    """A worker for ``settings.task_queue``; tests pass settings with their own queue.

    Without ``activity_executor`` the worker gets a thread pool of its own, shut
    down once the worker is garbage; entrypoints pass theirs to control shutdown.
    """
    read_model = ReadModelActivities(engine, settings.public_base_url)
    delivery = DeliveryActivities(engine, settings)
    slots = settings.max_concurrent_activities
    own_pool = None if activity_executor else _activity_pool(slots)
    worker = Worker(
        client,
        task_queue=settings.task_queue,
        workflows=[TenderWorkflow],
        activities=[
            read_model.project_tender,
            read_model.resolve_policy,
            delivery.deliver_notices,
        ],
        activity_executor=activity_executor or own_pool,
        max_concurrent_activities=slots,
        max_concurrent_local_activities=slots,
        max_cached_workflows=settings.max_cached_workflows,
        graceful_shutdown_timeout=timedelta(
            seconds=settings.worker_shutdown_grace_seconds
        ),
    )
    if own_pool is not None:
        weakref.finalize(worker, own_pool.shutdown, wait=False)
    return worker


def _activity_pool(size: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=size, thread_name_prefix="activity")


async def serve(settings: Settings) -> int:
    """Run until a stop signal (exit 0) or a fatal worker error (exit 1)."""
    upgrade(settings.sqlalchemy_url)
    engine = make_engine(settings.sqlalchemy_url)
    try:
        client = await connect(settings)
    except RuntimeError as error:
        log.error(
            "temporal_unreachable", address=settings.temporal_address, error=str(error)
        )
        return 1

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)

    with _activity_pool(settings.max_concurrent_activities) as pool:
        worker = build_worker(client, settings, engine, activity_executor=pool)
        running = asyncio.create_task(worker.run())
        stopping = asyncio.create_task(stop.wait())
        log.info(
            "worker_started",
            task_queue=settings.task_queue,
            namespace=settings.temporal_namespace,
            temporal_address=settings.temporal_address,
        )
        await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)

        if running.done():
            stopping.cancel()
            error = running.exception()
            log.error("worker_failed", exc_info=error)
            exit_code = 1
        else:
            log.info(
                "worker_stopping",
                grace_seconds=settings.worker_shutdown_grace_seconds,
            )
            await worker.shutdown()
            await running
            exit_code = 0

    engine.dispose()
    log.info("worker_stopped", exit_code=exit_code)
    return exit_code


def main() -> int:
    settings = get_settings()
    configure_logging(settings, "worker")
    forward_temporal_core_logs()
    return asyncio.run(serve(settings))


if __name__ == "__main__":
    sys.exit(main())
