"""Reminders, deadlines, escalation and expiry on the time-skipping server."""

from __future__ import annotations

from datetime import timedelta

from models.insurer import RequestStatus
from models.policy import PolicyValue
from models.refusals import Refusal
from models.workflow_io import (
    AcceptQuote,
    AddInsurers,
    ExtendDeadline,
    PostMessage,
    RequestResubmission,
    SubmitQuote,
    TenderStatus,
)
from tests.workflows.builders import (
    BACKOFFICE_EMAIL,
    BROKER,
    BROKER_EMAIL,
    insurer,
    invite,
    quote,
)
from tests.workflows.conftest import Harness

HOUR = timedelta(hours=1)


async def _sleep_until(harness: Harness, moment) -> None:
    await harness.sleep(moment - await harness.env.get_current_time() + HOUR)


async def _tender_asking(harness: Harness, *insurer_ids: str, **timings):
    harness.set_policy(PolicyValue.SELF_SERVICE, **timings)
    handle = await harness.start()
    view = await harness.update(
        handle,
        "add_insurers",
        AddInsurers(actor=BROKER, insurers=[invite(i) for i in insurer_ids]),
    )
    return handle, view


async def test_insurer_reminder_is_mailed_days_later(harness: Harness) -> None:
    handle, view = await _tender_asking(harness, "alpina")
    [request] = view.requests
    first_reminder = request.reminder_due[0]

    await _sleep_until(harness, first_reminder)
    view = await harness.until(handle, lambda v: v.requests[0].reminders_sent == 1)

    [mail] = harness.outbox(view.tender_id, "insurer_reminder")
    assert mail.recipient_email == "underwriting@alpina.example"
    assert mail.request_id == request.request_id
    assert "/insurer/access/" in mail.body
    assert view.requests[0].reminder_due == request.reminder_due[1:]


async def test_quote_after_deadline_is_refused(harness: Harness) -> None:
    handle, view = await _tender_asking(harness, "alpina")
    [request] = view.requests

    await _sleep_until(harness, request.deadline)
    view = await harness.until(handle, lambda v: v.status is TenderStatus.NO_OFFER)

    assert view.requests[0].status is RequestStatus.LAPSED
    late = SubmitQuote(
        actor=insurer("alpina"), request_id=request.request_id, quote=quote()
    )
    assert await harness.refusal(handle, "submit_quote", late) == (
        Refusal.QUOTE_DEADLINE_PASSED
    )
    [lapsed] = harness.outbox(view.tender_id, "request_lapsed")
    assert lapsed.recipient_email == BROKER_EMAIL
    assert len(harness.outbox(view.tender_id, "no_offer")) == 1


async def test_extended_deadline_moves_the_timer(harness: Harness) -> None:
    handle, view = await _tender_asking(harness, "alpina")
    [request] = view.requests
    later = request.deadline + timedelta(days=7)

    too_soon = ExtendDeadline(
        actor=BROKER, request_id=request.request_id, deadline=request.deadline
    )
    assert await harness.refusal(handle, "extend_deadline", too_soon) == (
        Refusal.DEADLINE_NOT_LATER
    )
    far = ExtendDeadline(
        actor=BROKER,
        request_id=request.request_id,
        deadline=request.deadline + timedelta(days=400),
    )
    assert await harness.refusal(handle, "extend_deadline", far) == (
        Refusal.DEADLINE_TOO_FAR
    )
    by_insurer = ExtendDeadline(
        actor=insurer("alpina"), request_id=request.request_id, deadline=later
    )
    assert await harness.refusal(handle, "extend_deadline", by_insurer) == (
        Refusal.ROLE_NOT_ALLOWED
    )

    view = await harness.update(
        handle,
        "extend_deadline",
        ExtendDeadline(actor=BROKER, request_id=request.request_id, deadline=later),
    )
    assert view.requests[0].deadline == later
    notices = harness.outbox(view.tender_id, "insurer_invitation")
    assert len(notices) == 2 and "verlängert" in notices[-1].body

    await _sleep_until(harness, request.deadline)
    view = await harness.view(handle)
    assert view.requests[0].status is RequestStatus.SENT

    await _sleep_until(harness, later)
    view = await harness.until(
        handle, lambda v: v.requests[0].status is RequestStatus.LAPSED
    )
    assert view.status is TenderStatus.NO_OFFER


async def test_no_offer_tender_reopens_when_an_insurer_is_added(
    harness: Harness,
) -> None:
    handle, view = await _tender_asking(harness, "alpina")
    await _sleep_until(harness, view.requests[0].deadline)
    await harness.until(handle, lambda v: v.status is TenderStatus.NO_OFFER)

    view = await harness.update(
        handle,
        "add_insurers",
        AddInsurers(actor=BROKER, insurers=[invite("alpina"), invite("hanse")]),
    )

    assert view.status is TenderStatus.TENDERING
    assert [r.status for r in view.requests] == [
        RequestStatus.LAPSED,
        RequestStatus.SENT,
        RequestStatus.SENT,
    ]


async def test_clarification_pauses_the_deadline(harness: Harness) -> None:
    handle, view = await _tender_asking(harness, "alpina")
    [request] = view.requests
    question = PostMessage(
        actor=insurer("alpina"),
        request_id=request.request_id,
        text="Wie viele Sitzplätze hat das Café?",
    )
    view = await harness.update(handle, "post_message", question)
    assert view.requests[0].status is RequestStatus.CLARIFICATION
    asked_at = await harness.env.get_current_time()

    await _sleep_until(harness, request.deadline + timedelta(days=2))
    view = await harness.view(handle)
    assert view.requests[0].status is RequestStatus.CLARIFICATION

    answer = PostMessage(
        actor=BROKER, request_id=request.request_id, text="24 Sitzplätze."
    )
    view = await harness.update(handle, "post_message", answer)
    waited = await harness.env.get_current_time() - asked_at
    [answered] = view.requests

    assert answered.status is RequestStatus.SENT
    moved = answered.deadline - request.deadline
    assert abs(moved - waited) < timedelta(minutes=1)
    assert len(answered.reminder_due) == len(request.reminder_due)
    assert answered.reminder_due[0] - request.reminder_due[0] == moved
    assert view.messages_count == 2
    notices = harness.outbox(view.tender_id, "new_message")
    assert [n.recipient_email for n in notices] == [
        BROKER_EMAIL,
        "underwriting@alpina.example",
    ]

    await harness.update(
        handle,
        "submit_quote",
        SubmitQuote(
            actor=insurer("alpina"), request_id=request.request_id, quote=quote()
        ),
    )


async def test_unclaimed_backoffice_tender_is_escalated_once(harness: Harness) -> None:
    harness.set_policy(PolicyValue.BACKOFFICE, escalate_unclaimed_after_business_days=1)
    handle = await harness.start()
    view = await harness.until(handle, lambda v: v.version >= 1)

    await harness.sleep(timedelta(days=6))
    await harness.until(handle, lambda v: v.version >= 2)
    await harness.sleep(timedelta(days=10))

    [mail] = harness.outbox(view.tender_id, "tender_unclaimed")
    assert mail.recipient_email == BACKOFFICE_EMAIL
    assert (await harness.view(handle)).status is TenderStatus.AWAITING_ASSIGNMENT


async def test_broker_is_reminded_to_choose_a_quote(harness: Harness) -> None:
    handle, view = await _tender_asking(
        harness, "alpina", broker_action_reminder_days=3
    )
    view = await harness.update(
        handle,
        "submit_quote",
        SubmitQuote(
            actor=insurer("alpina"),
            request_id=view.requests[0].request_id,
            quote=quote(),
        ),
    )
    assert view.status is TenderStatus.BROKER_ACTION_REQUIRED

    await harness.sleep(timedelta(days=3) + HOUR)
    await harness.until(handle, lambda v: v.version >= view.version + 1)
    await harness.sleep(timedelta(days=5))

    [mail] = harness.outbox(view.tender_id, "broker_action_reminder")
    assert mail.recipient_email == BROKER_EMAIL


async def test_expired_quote_is_warned_about_expires_and_can_be_resubmitted(
    harness: Harness,
) -> None:
    handle, view = await _tender_asking(harness, "alpina", quote_expiry_warning_days=5)
    request_id = view.requests[0].request_id
    today = (await harness.env.get_current_time()).date()
    offer = quote(valid_until=today + timedelta(days=8))
    view = await harness.update(
        handle,
        "submit_quote",
        SubmitQuote(actor=insurer("alpina"), request_id=request_id, quote=offer),
    )
    [first] = view.quotes

    await harness.sleep(timedelta(days=4))
    view = await harness.until(handle, lambda v: v.quotes[0].expiry_warned)
    assert not view.quotes[0].expired
    [warning] = harness.outbox(view.tender_id, "quote_expiry_warning")
    assert warning.recipient_email == BROKER_EMAIL

    await harness.sleep(timedelta(days=6))
    view = await harness.until(handle, lambda v: v.quotes[0].expired)
    assert view.requests[0].status is RequestStatus.EXPIRED
    assert view.status is TenderStatus.NO_OFFER
    assert len(harness.outbox(view.tender_id, "quote_expired")) == 1
    stale = AcceptQuote(actor=BROKER, quote_id=first.quote_id)
    assert await harness.refusal(handle, "accept_quote", stale) == Refusal.QUOTE_EXPIRED

    view = await harness.update(
        handle,
        "request_resubmission",
        RequestResubmission(actor=BROKER, request_id=request_id),
    )
    [request] = view.requests
    assert request.status is RequestStatus.RESUBMISSION_REQUESTED
    assert request.deadline > await harness.env.get_current_time()
    assert view.status is TenderStatus.TENDERING
    invitations = harness.outbox(view.tender_id, "insurer_invitation")
    assert len(invitations) == 2 and "abgelaufen" in invitations[-1].body

    view = await harness.update(
        handle,
        "submit_quote",
        SubmitQuote(actor=insurer("alpina"), request_id=request_id, quote=quote()),
    )
    old, new = view.quotes
    assert old.expired and not new.expired
    assert view.requests[0].quote_id == new.quote_id
    assert view.requests[0].status is RequestStatus.QUOTED
    await harness.update(
        handle, "accept_quote", AcceptQuote(actor=BROKER, quote_id=new.quote_id)
    )
    assert (await handle.result()).accepted_quote_id == new.quote_id
