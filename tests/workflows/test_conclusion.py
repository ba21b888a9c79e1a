"""Tenders run to conclusion, in both processing modes."""

from __future__ import annotations

from sqlmodel import Session, select
from temporalio.worker import Replayer

from core.temporal import DATA_CONVERTER
from models.insurer import Decline, DeclineReason, RequestStatus
from models.policy import PolicyValue, ProcessingMode
from models.projection import NotificationKind
from models.workflow_io import (
    AcceptQuote,
    AddInsurers,
    Claim,
    DeclineRequest,
    PostMessage,
    ReleaseQuotes,
    SubmitQuote,
    TenderStatus,
)
from store.tables import (
    AuditEventRecord,
    InsurerRequestRecord,
    QuoteRecord,
    TenderRecord,
)
from tests.workflows.builders import (
    AGENT,
    BACKOFFICE_EMAIL,
    BROKER,
    BROKER_EMAIL,
    INSURERS,
    insurer,
    invite,
    quote,
    tender_start,
)
from tests.workflows.conftest import Harness
from workflows.tender import TenderWorkflow

HISTORY_BUDGET = 150


async def test_self_service_tender_concludes_with_the_brokers_choice(
    harness: Harness,
) -> None:
    harness.set_policy(PolicyValue.SELF_SERVICE)
    handle = await harness.start()

    view = await harness.update(
        handle,
        "add_insurers",
        AddInsurers(actor=BROKER, insurers=[invite("alpina"), invite("hanse")]),
    )
    assert view.mode is ProcessingMode.SELF_SERVICE
    assert view.status is TenderStatus.TENDERING
    alpina, hanse = view.requests

    view = await harness.update(
        handle,
        "submit_quote",
        SubmitQuote(
            actor=insurer("alpina"), request_id=alpina.request_id, quote=quote()
        ),
    )
    [offer] = view.quotes
    assert offer.released and not offer.on_behalf_of_insurer
    assert view.status is TenderStatus.TENDERING

    view = await harness.update(
        handle, "accept_quote", AcceptQuote(actor=BROKER, quote_id=offer.quote_id)
    )
    result = await handle.result()

    assert result.status is TenderStatus.CONCLUDED
    assert result.accepted_quote_id == offer.quote_id
    statuses = {r.insurer_id: r.status for r in result.requests}
    assert statuses == {
        "alpina": RequestStatus.ACCEPTED,
        "hanse": RequestStatus.WITHDRAWN,
    }
    # Notices of one step share a timestamp, so compare them without order.
    sent = [(n.kind, n.recipient_email) for n in harness.outbox(view.tender_id)]
    assert sorted(sent) == sorted(
        [
            ("tender_confirmation", BROKER_EMAIL),
            ("insurer_invitation", "underwriting@alpina.example"),
            ("insurer_invitation", "underwriting@hanse.example"),
            ("quote_received", BROKER_EMAIL),
            ("quote_accepted", "underwriting@alpina.example"),
            ("request_withdrawn", "underwriting@hanse.example"),
        ]
    )


async def test_backoffice_tender_concludes_after_claim_upload_and_release(
    harness: Harness,
) -> None:
    harness.set_policy(PolicyValue.BACKOFFICE)
    handle = await harness.start(
        tender_start(requested_mode=ProcessingMode.SELF_SERVICE)
    )
    view = await harness.until(handle, lambda v: v.version >= 1)
    assert view.mode is ProcessingMode.BACKOFFICE
    assert view.status is TenderStatus.AWAITING_ASSIGNMENT

    view = await harness.update(handle, "claim", Claim(actor=AGENT))
    assert view.status is TenderStatus.IN_REVIEW
    view = await harness.update(
        handle,
        "add_insurers",
        AddInsurers(actor=AGENT, insurers=[invite("alpina"), invite("hanse")]),
    )
    alpina, hanse = view.requests
    await harness.update(
        handle,
        "submit_quote",
        SubmitQuote(actor=AGENT, request_id=alpina.request_id, quote=quote()),
    )
    view = await harness.update(
        handle,
        "submit_quote",
        SubmitQuote(actor=insurer("hanse"), request_id=hanse.request_id, quote=quote()),
    )
    on_behalf, own = view.quotes
    assert on_behalf.on_behalf_of_insurer and on_behalf.uploaded_by == AGENT
    assert not own.on_behalf_of_insurer
    assert not on_behalf.released and not own.released
    assert view.status is TenderStatus.IN_REVIEW  # the agent reviews before release

    view = await harness.update(handle, "release_quotes", ReleaseQuotes(actor=AGENT))
    assert all(q.released for q in view.quotes)
    assert view.status is TenderStatus.BROKER_ACTION_REQUIRED
    await harness.update(
        handle, "accept_quote", AcceptQuote(actor=BROKER, quote_id=own.quote_id)
    )
    result = await handle.result()

    statuses = {r.insurer_id: r.status for r in result.requests}
    assert statuses == {
        "alpina": RequestStatus.NOT_SELECTED,
        "hanse": RequestStatus.ACCEPTED,
    }
    kinds = [(n.kind, n.recipient_email) for n in harness.outbox(view.tender_id)]
    assert ("quote_received", BACKOFFICE_EMAIL) in kinds
    assert ("quotes_released", BROKER_EMAIL) in kinds
    assert ("quote_not_selected", "underwriting@alpina.example") in kinds
    assert (NotificationKind.NO_OFFER.value, BROKER_EMAIL) not in kinds


async def test_read_model_matches_the_view_after_conclusion(harness: Harness) -> None:
    harness.set_policy(PolicyValue.SELF_SERVICE)
    handle = await harness.start()
    view = await _five_insurer_lifecycle(harness, handle)
    result = await handle.result()

    with Session(harness.engine) as session:
        tender = session.get(TenderRecord, result.tender_id)
        requests = session.exec(
            select(InsurerRequestRecord).where(
                InsurerRequestRecord.tender_id == result.tender_id
            )
        ).all()
        quotes = session.exec(
            select(QuoteRecord).where(QuoteRecord.tender_id == result.tender_id)
        ).all()
        audit = session.exec(
            select(AuditEventRecord).where(
                AuditEventRecord.tender_id == result.tender_id
            )
        ).all()

    assert tender is not None
    assert tender.status == result.status.value == "CONCLUDED"
    assert tender.version == result.version
    assert tender.accepted_quote_id == result.accepted_quote_id
    assert tender.requests_total == 5 and tender.quotes_total == 4
    assert tender.submission is not None
    assert {r.request_id: r.status for r in requests} == {
        r.request_id: r.status.value for r in result.requests
    }
    assert {q.quote_id for q in quotes} == {q.quote_id for q in view.quotes}
    actions = [a.action for a in audit]
    assert actions.count("insurer_invited") == 5
    assert actions.count("quote_submitted") == 4
    assert "question_asked" in actions and "question_answered" in actions


async def test_five_insurer_lifecycle_stays_within_the_history_budget(
    harness: Harness,
) -> None:
    harness.set_policy(PolicyValue.SELF_SERVICE)
    handle = await harness.start()
    await _five_insurer_lifecycle(harness, handle)
    await handle.result()

    history = await handle.fetch_history()
    print(f"five-insurer lifecycle: {len(history.events)} history events")
    assert len(history.events) < HISTORY_BUDGET
    replayer = Replayer(workflows=[TenderWorkflow], data_converter=DATA_CONVERTER)
    await replayer.replay_workflow(history)


async def _five_insurer_lifecycle(harness: Harness, handle):
    """Five insurers, one question and answer, one decline, four quotes, one
    acceptance."""
    view = await harness.update(
        handle,
        "add_insurers",
        AddInsurers(actor=BROKER, insurers=[invite(i) for i in INSURERS]),
    )
    requests = {r.insurer_id: r.request_id for r in view.requests}
    first, declining, *quoting = INSURERS

    await harness.update(
        handle,
        "post_message",
        PostMessage(
            actor=insurer(first),
            request_id=requests[first],
            text="Gibt es eine Fettabscheideranlage?",
        ),
    )
    await harness.update(
        handle,
        "post_message",
        PostMessage(actor=BROKER, request_id=requests[first], text="Ja, seit 2021."),
    )
    await harness.update(
        handle,
        "decline_request",
        DeclineRequest(
            actor=insurer(declining),
            request_id=requests[declining],
            decline=Decline(reason_code=DeclineReason.TRADE_NOT_WRITTEN),
        ),
    )
    for insurer_id in [first, *quoting]:
        view = await harness.update(
            handle,
            "submit_quote",
            SubmitQuote(
                actor=insurer(insurer_id),
                request_id=requests[insurer_id],
                quote=quote(),
            ),
        )
    assert view.status is TenderStatus.BROKER_ACTION_REQUIRED
    await harness.update(
        handle,
        "accept_quote",
        AcceptQuote(actor=BROKER, quote_id=view.quotes[0].quote_id),
    )
    return view
