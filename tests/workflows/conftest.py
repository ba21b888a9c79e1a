"""A worker with the tender workflow and the real read-model activities, on its
own task queue, against the time-skipping server and a fresh migrated database."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest_asyncio
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from core.settings import Settings
from models.policy import PolicyDecision, PolicyValue, TenderTimings
from models.workflow_io import TenderStart, TenderView, workflow_id_for
from store import policies
from store.db import make_engine
from store.tables import OutboxRecord
from tests.fixtures.api import register_search_attributes, terminate_quietly
from tests.fixtures.smtp import SmtpServer
from tests.workflows.builders import BACKOFFICE_EMAIL, ORG, tender_start
from worker import build_worker
from workflows.tender import TenderWorkflow


@dataclass
class Harness:
    env: WorkflowEnvironment
    engine: Engine
    task_queue: str
    started: list[str] = field(default_factory=list)

    def set_policy(
        self,
        value: PolicyValue,
        *,
        backoffice_email: str | None = BACKOFFICE_EMAIL,
        **timings: Any,
    ) -> None:
        decision = PolicyDecision(
            policy=value,
            backoffice_email=backoffice_email,
            timings=TenderTimings(**timings),
        )
        with Session(self.engine) as session:
            policies.upsert_policy(
                session,
                organisation_id=ORG,
                line_of_business=None,
                decision=decision,
                updated_by="admin-test",
            )

    async def start(
        self, start: TenderStart | None = None, **options: Any
    ) -> WorkflowHandle:
        """Start a tender; the handle follows the latest run (continue-as-new)."""
        start = start or tender_start()
        workflow_id = workflow_id_for(start.tender_id)
        await self.env.client.start_workflow(
            TenderWorkflow.run,
            args=[start, None],
            id=workflow_id,
            task_queue=self.task_queue,
            **options,
        )
        self.started.append(workflow_id)
        return self.env.client.get_workflow_handle_for(TenderWorkflow.run, workflow_id)

    async def stop_open_tenders(self) -> None:
        """Terminate what a test left running: the shared server skips time
        only while no workflow task waits, and no worker polls this queue later."""
        for workflow_id in self.started:
            await terminate_quietly(self.env.client.get_workflow_handle(workflow_id))

    async def sleep(self, duration: timedelta) -> None:
        """Skip time on the server, then give the woken workflow a moment."""
        await self.env.sleep(duration)

    async def until(
        self, handle: WorkflowHandle, check: Callable[[TenderView], bool]
    ) -> TenderView:
        """The view once `check` holds, polling for up to ten seconds."""
        async with asyncio.timeout(10):
            while not check(view := await self.view(handle)):
                await asyncio.sleep(0.05)
        return view

    async def update(
        self, handle: WorkflowHandle, name: str, message: Any, *, key: str | None = None
    ) -> TenderView:
        return await handle.execute_update(
            name, message, id=key, result_type=TenderView
        )

    async def view(self, handle: WorkflowHandle) -> TenderView:
        return await handle.query("view", result_type=TenderView)

    async def refusal(self, handle: WorkflowHandle, name: str, message: Any) -> str:
        """Send an update that must be refused; return its code after checking
        that it left no trace in the view or the history."""
        before = await self.view(handle)
        key = f"refused-{uuid.uuid4().hex}"
        try:
            await handle.execute_update(name, message, id=key, result_type=TenderView)
        except WorkflowUpdateFailedError as error:
            cause = error.cause
            assert isinstance(cause, ApplicationError), cause
            code = cause.type
        else:
            raise AssertionError(f"{name} was accepted")
        assert (await self.view(handle)) == before
        assert key not in await accepted_update_ids(handle)
        return code or ""

    async def refusal_code(
        self, handle: WorkflowHandle, name: str, message: Any
    ) -> str:
        """The code of an update that must be refused, with no UpdateAccepted."""
        key = f"refused-{uuid.uuid4().hex}"
        try:
            await handle.execute_update(name, message, id=key, result_type=TenderView)
        except WorkflowUpdateFailedError as error:
            assert isinstance(error.cause, ApplicationError), error.cause
            assert key not in await accepted_update_ids(handle)
            return error.cause.type or ""
        raise AssertionError(f"{name} was accepted")

    def outbox(self, tender_id: str, kind: str | None = None) -> list[OutboxRecord]:
        with Session(self.engine) as session:
            query = select(OutboxRecord).where(OutboxRecord.tender_id == tender_id)
            if kind is not None:
                query = query.where(OutboxRecord.kind == kind)
            return list(
                session.exec(query.order_by(col(OutboxRecord.created_at))).all()
            )


async def accepted_update_ids(handle: WorkflowHandle) -> set[str]:
    history = await handle.fetch_history()
    accepted = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
    requests = (
        event.workflow_execution_update_accepted_event_attributes.accepted_request
        for event in history.events
        if event.event_type == accepted
    )
    return {request.meta.update_id for request in requests}


@pytest_asyncio.fixture
async def harness(
    time_skipping_env: WorkflowEnvironment, database_url: str, smtp_server: SmtpServer
) -> AsyncIterator[Harness]:
    await register_search_attributes(time_skipping_env)
    async with _running(time_skipping_env, database_url, smtp_server) as harness:
        yield harness


@pytest_asyncio.fixture
async def dev_harness(
    dev_server_env: WorkflowEnvironment, database_url: str, smtp_server: SmtpServer
) -> AsyncIterator[Harness]:
    """On the dev server: real visibility and search attributes, real time."""
    async with _running(dev_server_env, database_url, smtp_server) as harness:
        yield harness


@contextlib.asynccontextmanager
async def _running(
    env: WorkflowEnvironment, database_url: str, smtp_server: SmtpServer
) -> AsyncIterator[Harness]:
    engine = make_engine(database_url)
    task_queue = f"tender-test-{uuid.uuid4().hex}"
    settings = Settings(
        _env_file=None,
        environment="test",
        task_queue=task_queue,
        public_base_url="https://app.example",
        smtp_port=smtp_server.port,
    )
    try:
        with ThreadPoolExecutor(max_workers=settings.max_concurrent_activities) as pool:
            async with build_worker(
                env.client, settings, engine, activity_executor=pool
            ):
                harness = Harness(env, engine, task_queue)
                yield harness
                await harness.stop_open_tenders()
    finally:
        engine.dispose()
