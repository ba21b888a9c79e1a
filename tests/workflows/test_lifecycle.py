"""Cancelling, repeated messages, the opened signal and continue-as-new."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlmodel import Session, select
from temporalio.api.enums.v1 import EventType

from models.insurer import RequestStatus
from models.policy import PolicyValue
from models.workflow_io import (
    AddInsurers,
    CancelTender,
    PostMessage,
    RequestOpened,
    SubmitQuote,
    TenderStatus,
    workflow_id_for,
)
from store.tables import AuditEventRecord
from tests.workflows.builders import (
    BROKER,
    BROKER_EMAIL,
    insurer,
    invite,
    quote,
    tender_start,
)
from tests.workflows.conftest import Harness


async def test_cancel_withdraws_open_requests_and_tells_everyone(
    harness: Harness,
) -> None:
    harness.set_policy(PolicyValue.SELF_SERVICE)
    handle = await harness.start()
    view = await harness.update(
        handle,
        "add_insurers",
        AddInsurers(actor=BROKER, insurers=[invite("alpina"), invite("hanse")]),
    )
    alpina, hanse = view.requests
    await harness.update(
        handle,
        "submit_quote",
        SubmitQuote(
            actor=insurer("alpina"), request_id=alpina.request_id, quote=quote()
        ),
    )

    await harness.update(
        handle,
        "cancel",
        CancelTender(actor=BROKER, reason="Risiko anderweitig gedeckt"),
    )
    result = await handle.result()

    assert result.status is TenderStatus.CANCELLED
    assert result.cancel_reason == "Risiko anderweitig gedeckt"
    assert [r.status for r in result.requests] == [
        RequestStatus.QUOTED,
        RequestStatus.WITHDRAWN,
    ]
    sent = {(n.kind, n.recipient_email) for n in harness.outbox(result.tender_id)}
    assert ("request_withdrawn", "underwriting@hanse.example") in sent
    assert ("tender_cancelled", "underwriting@alpina.example") in sent
    assert ("tender_cancelled", BROKER_EMAIL) in sent


async def test_repeated_update_id_is_applied_once(harness: Harness) -> None:
    harness.set_policy(PolicyValue.SELF_SERVICE)
    handle = await harness.start()
    add = AddInsurers(actor=BROKER, insurers=[invite("alpina")])

    first = await harness.update(handle, "add_insurers", add, key="idem-add-1")
    again = await harness.update(handle, "add_insurers", add, key="idem-add-1")

    assert again.requests == first.requests
    assert again.version == first.version
    assert len(harness.outbox(first.tender_id, "insurer_invitation")) == 1


async def test_opened_signal_marks_the_request_once(harness: Harness) -> None:
    harness.set_policy(PolicyValue.SELF_SERVICE)
    handle = await harness.start()
    view = await harness.update(
        handle, "add_insurers", AddInsurers(actor=BROKER, insurers=[invite("alpina")])
    )
    request_id = view.requests[0].request_id
    opened = RequestOpened(request_id=request_id, key=f"opened-{request_id}")

    await handle.signal("request_opened", opened)
    await handle.signal("request_opened", opened)
    await handle.signal(
        "request_opened", RequestOpened(request_id="no-such-request", key="x")
    )
    view = await harness.until(
        handle, lambda v: v.requests[0].status is RequestStatus.OPENED
    )
    await harness.update(
        handle,
        "post_message",
        PostMessage(actor=insurer("alpina"), request_id=request_id, text="Frage?"),
    )

    with Session(harness.engine) as session:
        actions = session.exec(
            select(AuditEventRecord.action).where(
                AuditEventRecord.tender_id == view.tender_id
            )
        ).all()
    assert actions.count("request_opened") == 1
    after = await harness.view(handle)
    assert after.requests[0].status_before_clarification is RequestStatus.OPENED


async def test_continue_as_new_keeps_requests_quotes_keys_and_deadlines(
    harness: Harness,
) -> None:
    harness.set_policy(PolicyValue.SELF_SERVICE)
    handle = await harness.start(tender_start(max_history_events=40))
    add = AddInsurers(actor=BROKER, insurers=[invite("alpina"), invite("hanse")])
    view = await harness.update(handle, "add_insurers", add, key="can-add")
    alpina, hanse = view.requests
    await harness.update(
        handle,
        "submit_quote",
        SubmitQuote(
            actor=insurer("alpina"), request_id=alpina.request_id, quote=quote()
        ),
    )
    for n in range(8):
        await harness.update(
            handle,
            "post_message",
            PostMessage(actor=BROKER, request_id=hanse.request_id, text=f"Hinweis {n}"),
        )
    before = await harness.view(handle)

    # The run continues as new once the last step's notices are delivered.
    async with asyncio.timeout(10):
        while True:
            history = await handle.fetch_history()
            started = history.events[0].workflow_execution_started_event_attributes
            if started.continued_execution_run_id:
                break
            await asyncio.sleep(0.1)
    assert history.events[0].event_type == (
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED
    )

    replayed = await harness.update(handle, "add_insurers", add, key="can-add")
    assert replayed.requests == before.requests
    assert replayed.version == before.version
    assert before.requests[1].deadline == hanse.deadline
    assert before.requests[1].reminder_due == hanse.reminder_due
    assert before.quotes[0].request_id == alpina.request_id
    assert before.messages_count == 8

    remaining = hanse.deadline - await harness.env.get_current_time()
    await harness.sleep(max(remaining, timedelta(0)) + timedelta(hours=1))
    view = await harness.until(
        handle, lambda v: v.requests[1].status is RequestStatus.LAPSED
    )
    assert view.status is TenderStatus.BROKER_ACTION_REQUIRED
    assert len(harness.outbox(view.tender_id, "insurer_invitation")) == 2


async def test_tender_started_with_only_its_start_argument_runs(
    harness: Harness,
) -> None:
    harness.set_policy(PolicyValue.SELF_SERVICE)
    start = tender_start()
    await harness.env.client.start_workflow(
        "tender",
        start,
        id=workflow_id_for(start.tender_id),
        task_queue=harness.task_queue,
    )
    harness.started.append(workflow_id_for(start.tender_id))
    handle = harness.env.client.get_workflow_handle(workflow_id_for(start.tender_id))

    view = await harness.update(
        handle, "add_insurers", AddInsurers(actor=BROKER, insurers=[invite("alpina")])
    )

    assert view.tender_id == start.tender_id
    assert view.status is TenderStatus.TENDERING
