"""Every refusal comes through a real update, and a refused update leaves no trace:
the view is unchanged and the history holds no UpdateAccepted for it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import Engine, text

from models.insurer import Decline, DeclineReason
from models.policy import PolicyValue, ProcessingMode
from models.refusals import Refusal
from models.workflow_io import (
    AcceptQuote,
    AddInsurers,
    CancelTender,
    ChooseMode,
    Claim,
    DeclineRequest,
    PostMessage,
    ReleaseQuotes,
    RequestResubmission,
    SubmitQuote,
    TenderStatus,
)
from tests.workflows.builders import (
    AGENT,
    BROKER,
    OTHER_AGENT,
    OTHER_BROKER,
    insurer,
    invite,
    quote,
)
from tests.workflows.conftest import Harness


async def _self_service_with_quote(harness: Harness):
    harness.set_policy(PolicyValue.SELF_SERVICE)
    handle = await harness.start()
    view = await harness.update(
        handle,
        "add_insurers",
        AddInsurers(actor=BROKER, insurers=[invite("alpina"), invite("hanse")]),
    )
    alpina = view.requests[0]
    view = await harness.update(
        handle,
        "submit_quote",
        SubmitQuote(
            actor=insurer("alpina"), request_id=alpina.request_id, quote=quote()
        ),
    )
    return handle, view


async def test_requests_and_quotes_of_others_do_not_exist(harness: Harness) -> None:
    handle, view = await _self_service_with_quote(harness)
    alpina, hanse = view.requests

    foreign = SubmitQuote(
        actor=insurer("alpina"), request_id=hanse.request_id, quote=quote()
    )
    unknown = DeclineRequest(
        actor=insurer("hanse"),
        request_id="no-such-request",
        decline=Decline(reason_code=DeclineReason.NO_CAPACITY),
    )
    assert (
        await harness.refusal(handle, "submit_quote", foreign)
        == Refusal.REQUEST_NOT_FOUND
    )
    assert await harness.refusal(handle, "decline_request", unknown) == (
        Refusal.REQUEST_NOT_FOUND
    )
    missing = AcceptQuote(actor=BROKER, quote_id="no-such-quote")
    assert (
        await harness.refusal(handle, "accept_quote", missing)
        == Refusal.QUOTE_NOT_FOUND
    )


async def test_answered_requests_and_roles_are_guarded(harness: Harness) -> None:
    handle, view = await _self_service_with_quote(harness)
    alpina, hanse = view.requests
    [offer] = view.quotes

    late_decline = DeclineRequest(
        actor=insurer("alpina"),
        request_id=alpina.request_id,
        decline=Decline(reason_code=DeclineReason.NO_CAPACITY),
    )
    assert await harness.refusal(handle, "decline_request", late_decline) == (
        Refusal.REQUEST_NOT_OPEN
    )
    by_insurer = AcceptQuote(actor=insurer("alpina"), quote_id=offer.quote_id)
    by_colleague = AcceptQuote(actor=OTHER_BROKER, quote_id=offer.quote_id)
    assert await harness.refusal(handle, "accept_quote", by_insurer) == (
        Refusal.ROLE_NOT_ALLOWED
    )
    assert await harness.refusal(handle, "accept_quote", by_colleague) == (
        Refusal.ROLE_NOT_ALLOWED
    )
    again = AddInsurers(actor=BROKER, insurers=[invite("hanse")])
    assert await harness.refusal(handle, "add_insurers", again) == (
        Refusal.INSURER_ALREADY_INVITED
    )
    not_expired = RequestResubmission(actor=BROKER, request_id=alpina.request_id)
    assert await harness.refusal(handle, "request_resubmission", not_expired) == (
        Refusal.NOTHING_TO_RESUBMIT
    )
    past = quote(
        valid_until=(await harness.env.get_current_time()).date() - timedelta(days=3)
    )
    stale = SubmitQuote(actor=insurer("hanse"), request_id=hanse.request_id, quote=past)
    assert await harness.refusal(handle, "submit_quote", stale) == Refusal.QUOTE_EXPIRED
    far = quote(
        valid_until=(await harness.env.get_current_time()).date()
        + timedelta(days=365 * 3)
    )
    too_long = SubmitQuote(
        actor=insurer("hanse"), request_id=hanse.request_id, quote=far
    )
    assert await harness.refusal(handle, "submit_quote", too_long) == (
        Refusal.QUOTE_VALIDITY_TOO_LONG
    )


async def test_mode_rules_are_enforced(harness: Harness) -> None:
    harness.set_policy(PolicyValue.SELF_SERVICE)
    handle = await harness.start()
    await harness.until(handle, lambda v: v.version >= 1)

    choose = ChooseMode(actor=BROKER, mode=ProcessingMode.BACKOFFICE)
    assert await harness.refusal(handle, "choose_mode", choose) == (
        Refusal.MODE_ALREADY_FIXED
    )
    assert await harness.refusal(handle, "claim", Claim(actor=AGENT)) == (
        Refusal.WRONG_PROCESSING_MODE
    )
    release = ReleaseQuotes(actor=AGENT)
    assert await harness.refusal(handle, "release_quotes", release) == (
        Refusal.WRONG_PROCESSING_MODE
    )


async def test_nothing_happens_before_the_broker_chooses_a_mode(
    harness: Harness,
) -> None:
    harness.set_policy(PolicyValue.BROKER_CHOICE)
    handle = await harness.start()
    view = await harness.until(handle, lambda v: v.version >= 1)
    assert view.status is TenderStatus.AWAITING_MODE_CHOICE

    add = AddInsurers(actor=BROKER, insurers=[invite("alpina")])
    assert await harness.refusal(handle, "add_insurers", add) == Refusal.MODE_NOT_CHOSEN

    view = await harness.update(
        handle, "choose_mode", ChooseMode(actor=BROKER, mode=ProcessingMode.BACKOFFICE)
    )
    assert view.status is TenderStatus.AWAITING_ASSIGNMENT


async def test_backoffice_work_needs_the_claiming_agent(harness: Harness) -> None:
    harness.set_policy(PolicyValue.BACKOFFICE)
    handle = await harness.start()
    await harness.until(handle, lambda v: v.version >= 1)

    add = AddInsurers(actor=AGENT, insurers=[invite("alpina")])
    assert await harness.refusal(handle, "add_insurers", add) == (
        Refusal.TENDER_NOT_CLAIMED
    )
    await harness.update(handle, "claim", Claim(actor=AGENT))
    assert await harness.refusal(handle, "claim", Claim(actor=OTHER_AGENT)) == (
        Refusal.TENDER_ALREADY_CLAIMED
    )
    by_other = AddInsurers(actor=OTHER_AGENT, insurers=[invite("alpina")])
    assert await harness.refusal(handle, "add_insurers", by_other) == (
        Refusal.NOT_ASSIGNEE
    )
    by_broker = AddInsurers(actor=BROKER, insurers=[invite("alpina")])
    assert await harness.refusal(handle, "add_insurers", by_broker) == (
        Refusal.WRONG_PROCESSING_MODE
    )
    release = ReleaseQuotes(actor=AGENT)
    assert await harness.refusal(handle, "release_quotes", release) == (
        Refusal.NOTHING_TO_RELEASE
    )

    view = await harness.update(handle, "add_insurers", add)
    await harness.update(
        handle,
        "submit_quote",
        SubmitQuote(
            actor=insurer("alpina"),
            request_id=view.requests[0].request_id,
            quote=quote(),
        ),
    )
    [offer] = (await harness.view(handle)).quotes
    early = AcceptQuote(actor=BROKER, quote_id=offer.quote_id)
    assert await harness.refusal(handle, "accept_quote", early) == (
        Refusal.QUOTE_NOT_RELEASED
    )


async def test_more_than_a_hundred_insurers_are_refused(harness: Harness) -> None:
    harness.set_policy(PolicyValue.SELF_SERVICE)
    handle = await harness.start()
    first = [invite(f"ins-{n:03d}") for n in range(60)]
    await harness.update(
        handle, "add_insurers", AddInsurers(actor=BROKER, insurers=first)
    )

    more = [invite(f"ins-{n:03d}") for n in range(60, 101)]
    add = AddInsurers(actor=BROKER, insurers=more)
    assert (
        await harness.refusal(handle, "add_insurers", add) == Refusal.TOO_MANY_INSURERS
    )


async def test_messages_to_a_closed_tender_are_refused(harness: Harness) -> None:
    """A concluded tender still finishing its projection refuses everything."""
    harness.set_policy(PolicyValue.SELF_SERVICE)
    handle = await harness.start(task_timeout=timedelta(seconds=2))
    view = await harness.update(
        handle, "add_insurers", AddInsurers(actor=BROKER, insurers=[invite("alpina")])
    )
    request_id = view.requests[0].request_id
    view = await harness.update(
        handle,
        "submit_quote",
        SubmitQuote(actor=insurer("alpina"), request_id=request_id, quote=quote()),
    )
    accept = AcceptQuote(actor=BROKER, quote_id=view.quotes[0].quote_id)
    question = PostMessage(actor=insurer("alpina"), request_id=request_id, text="?")
    late = [
        ("cancel", CancelTender(actor=BROKER)),
        ("post_message", PostMessage(actor=BROKER, text="Noch eine Frage")),
        ("post_message", question),
    ]

    with _read_model_held(harness.engine):
        accepting = asyncio.create_task(harness.update(handle, "accept_quote", accept))
        await asyncio.sleep(0.5)
        codes = await asyncio.gather(
            *(harness.refusal_code(handle, n, m) for n, m in late)
        )
    await accepting
    result = await handle.result()

    assert codes == [Refusal.TENDER_CLOSED] * len(late)
    assert result.status is TenderStatus.CONCLUDED
    assert result.messages_count == 0 and result.cancel_reason is None


@contextmanager
def _read_model_held(engine: Engine) -> Iterator[None]:
    """Block writes to the read model, so a closing tender stays running a while."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN EXCLUSIVE")
        else:
            connection.begin()
            connection.execute(text("LOCK TABLE tender IN EXCLUSIVE MODE"))
        try:
            yield
        finally:
            connection.rollback()
