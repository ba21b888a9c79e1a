"""Running a tender: every action is a workflow update with the caller as actor.

The answer is the tender as the read model has it after the step (an accepted
update returns only once its step is projected).
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel
from sqlmodel import Session

from api.access import TenderId, ensure_open, tender_detail, visible_tender
from api.deps import (
    BackofficeDep,
    BrokerDep,
    HandlerDep,
    IdempotencyKey,
    SessionDep,
    TemporalDep,
)
from api.problems import problem_responses
from api.schemas import (
    AddInsurersBody,
    AssigneeBody,
    CancelBody,
    ChooseModeBody,
    DeadlineBody,
    DeclineBody,
    QuoteBody,
    ReleaseBody,
    TenderDetail,
)
from api.security import Principal
from api.tender_client import TenderClient, update_id
from core.tokens import new_access_token
from models.actors import Actor, Role
from models.insurer import Decline, InsurerInvite, QuoteInput
from models.workflow_io import (
    AcceptQuote,
    AddInsurers,
    Assign,
    CancelTender,
    ChooseMode,
    Claim,
    DeclineRequest,
    ExtendDeadline,
    ReleaseQuotes,
    RequestResubmission,
    SubmitQuote,
)

router = APIRouter(prefix="/tenders/{tender_id}", tags=["tender actions"])

ACTION_ERRORS = problem_responses(401, 403, 404, 409, 422, 503)
RequestId = Annotated[str, Path(min_length=1, max_length=100)]
QuoteId = Annotated[str, Path(min_length=1, max_length=100)]


async def act(
    *,
    tender_id: str,
    principal: Principal,
    session: Session,
    temporal: TenderClient,
    update: str,
    message: BaseModel,
    idempotency_key: str | None,
) -> TenderDetail:
    """Send one update for a tender the caller may see, then read the result."""
    detail = await visible_tender(session, principal, tender_id)
    ensure_open(detail)
    key = idempotency_key or uuid.uuid4().hex
    await temporal.update(
        tender_id,
        update,
        message,
        update_id=update_id(update, principal.subject, key),
    )
    fresh = await visible_tender(session, principal, tender_id)
    return tender_detail(principal, fresh)


@router.post("/mode", response_model=TenderDetail, responses=ACTION_ERRORS)
async def choose_mode(
    tender_id: TenderId,
    body: ChooseModeBody,
    principal: BrokerDep,
    session: SessionDep,
    temporal: TemporalDep,
    idempotency_key: IdempotencyKey = None,
) -> TenderDetail:
    """Choose self-service or backoffice when the policy leaves it to the broker."""
    message = ChooseMode(actor=principal.actor, mode=body.mode)
    return await act(
        tender_id=tender_id, principal=principal, session=session,
        temporal=temporal, update="choose_mode", message=message,
        idempotency_key=idempotency_key,
    )  # fmt: skip


@router.post("/insurers", response_model=TenderDetail, responses=ACTION_ERRORS)
async def add_insurers(
    tender_id: TenderId,
    body: AddInsurersBody,
    principal: HandlerDep,
    session: SessionDep,
    temporal: TemporalDep,
    idempotency_key: IdempotencyKey = None,
) -> TenderDetail:
    """Ask insurers for quotes; each gets an e-mail with its own access link."""
    invites = [InsurerInvite.model_validate(i.model_dump()) for i in body.insurers]
    message = AddInsurers(
        actor=principal.actor,
        insurers=invites,
        access_tokens={i.insurer_id: new_access_token() for i in invites},
    )
    return await act(
        tender_id=tender_id, principal=principal, session=session,
        temporal=temporal, update="add_insurers", message=message,
        idempotency_key=idempotency_key,
    )  # fmt: skip


@router.post("/claim", response_model=TenderDetail, responses=ACTION_ERRORS)
async def claim_tender(
    tender_id: TenderId,
    principal: BackofficeDep,
    session: SessionDep,
    temporal: TemporalDep,
    idempotency_key: IdempotencyKey = None,
) -> TenderDetail:
    """Become the tender's handler (Bearbeiter)."""
    return await act(
        tender_id=tender_id, principal=principal, session=session,
        temporal=temporal, update="claim", message=Claim(actor=principal.actor),
        idempotency_key=idempotency_key,
    )  # fmt: skip


@router.post("/assignee", response_model=TenderDetail, responses=ACTION_ERRORS)
async def assign_tender(
    tender_id: TenderId,
    body: AssigneeBody,
    principal: BackofficeDep,
    session: SessionDep,
    temporal: TemporalDep,
    idempotency_key: IdempotencyKey = None,
) -> TenderDetail:
    """Hand a claimed tender to another agent, or back to the queue (null)."""
    assignee = None
    if body.user_id is not None:
        assignee = Actor(
            role=Role.BACKOFFICE,
            user_id=body.user_id,
            organisation_id=principal.actor.organisation_id,
            display_name=body.name,
        )
    return await act(
        tender_id=tender_id, principal=principal, session=session,
        temporal=temporal, update="assign",
        message=Assign(actor=principal.actor, assignee=assignee),
        idempotency_key=idempotency_key,
    )  # fmt: skip


@router.post("/quotes/release", response_model=TenderDetail, responses=ACTION_ERRORS)
async def release_quotes(
    tender_id: TenderId,
    principal: BackofficeDep,
    session: SessionDep,
    temporal: TemporalDep,
    body: ReleaseBody | None = None,
    idempotency_key: IdempotencyKey = None,
) -> TenderDetail:
    """Release quotes to the broker (Freigabe); all unreleased ones by default."""
    quote_ids = body.quote_ids if body else None
    message = ReleaseQuotes(actor=principal.actor, quote_ids=quote_ids)
    return await act(
        tender_id=tender_id, principal=principal, session=session,
        temporal=temporal, update="release_quotes", message=message,
        idempotency_key=idempotency_key,
    )  # fmt: skip


@router.post(
    "/quotes/{quote_id}/accept", response_model=TenderDetail, responses=ACTION_ERRORS
)
async def accept_quote(
    tender_id: TenderId,
    quote_id: QuoteId,
    principal: BrokerDep,
    session: SessionDep,
    temporal: TemporalDep,
    idempotency_key: IdempotencyKey = None,
) -> TenderDetail:
    """Accept a released quote and conclude the tender (Abschluss)."""
    message = AcceptQuote(actor=principal.actor, quote_id=quote_id)
    return await act(
        tender_id=tender_id, principal=principal, session=session,
        temporal=temporal, update="accept_quote", message=message,
        idempotency_key=idempotency_key,
    )  # fmt: skip


@router.post("/cancel", response_model=TenderDetail, responses=ACTION_ERRORS)
async def cancel_tender(
    tender_id: TenderId,
    principal: HandlerDep,
    session: SessionDep,
    temporal: TemporalDep,
    body: CancelBody | None = None,
    idempotency_key: IdempotencyKey = None,
) -> TenderDetail:
    """Cancel the tender; open requests are withdrawn and insurers told."""
    message = CancelTender(actor=principal.actor, reason=body.reason if body else None)
    return await act(
        tender_id=tender_id, principal=principal, session=session,
        temporal=temporal, update="cancel", message=message,
        idempotency_key=idempotency_key,
    )  # fmt: skip


@router.post(
    "/requests/{request_id}/quotes",
    response_model=TenderDetail,
    responses=ACTION_ERRORS,
)
async def quote_on_behalf(
    tender_id: TenderId,
    request_id: RequestId,
    body: QuoteBody,
    principal: BackofficeDep,
    session: SessionDep,
    temporal: TemporalDep,
    idempotency_key: IdempotencyKey = None,
) -> TenderDetail:
    """Upload an insurer's quote on its behalf."""
    message = SubmitQuote(
        actor=principal.actor,
        request_id=request_id,
        quote=QuoteInput.model_validate(body.model_dump()),
    )
    return await act(
        tender_id=tender_id, principal=principal, session=session,
        temporal=temporal, update="submit_quote", message=message,
        idempotency_key=idempotency_key,
    )  # fmt: skip


@router.post(
    "/requests/{request_id}/decline",
    response_model=TenderDetail,
    responses=ACTION_ERRORS,
)
async def decline_on_behalf(
    tender_id: TenderId,
    request_id: RequestId,
    body: DeclineBody,
    principal: BackofficeDep,
    session: SessionDep,
    temporal: TemporalDep,
    idempotency_key: IdempotencyKey = None,
) -> TenderDetail:
    """Record an insurer's decline on its behalf."""
    message = DeclineRequest(
        actor=principal.actor,
        request_id=request_id,
        decline=Decline.model_validate(body.model_dump()),
    )
    return await act(
        tender_id=tender_id, principal=principal, session=session,
        temporal=temporal, update="decline_request", message=message,
        idempotency_key=idempotency_key,
    )  # fmt: skip


@router.post(
    "/requests/{request_id}/resubmission",
    response_model=TenderDetail,
    responses=ACTION_ERRORS,
)
async def request_resubmission(
    tender_id: TenderId,
    request_id: RequestId,
    principal: HandlerDep,
    session: SessionDep,
    temporal: TemporalDep,
    idempotency_key: IdempotencyKey = None,
) -> TenderDetail:
    """Ask the insurer of an expired quote for a new one."""
    message = RequestResubmission(actor=principal.actor, request_id=request_id)
    return await act(
        tender_id=tender_id, principal=principal, session=session,
        temporal=temporal, update="request_resubmission", message=message,
        idempotency_key=idempotency_key,
    )  # fmt: skip


@router.post(
    "/requests/{request_id}/deadline",
    response_model=TenderDetail,
    responses=ACTION_ERRORS,
)
async def extend_deadline(
    tender_id: TenderId,
    request_id: RequestId,
    body: DeadlineBody,
    principal: HandlerDep,
    session: SessionDep,
    temporal: TemporalDep,
    idempotency_key: IdempotencyKey = None,
) -> TenderDetail:
    """Give an insurer more time; the deadline timer moves and the insurer is told."""
    message = ExtendDeadline(
        actor=principal.actor, request_id=request_id, deadline=body.deadline
    )
    return await act(
        tender_id=tender_id, principal=principal, session=session,
        temporal=temporal, update="extend_deadline", message=message,
        idempotency_key=idempotency_key,
    )  # fmt: skip
