"""The insurer portal: the invitation link, own requests, quotes, declines, chat."""

from __future__ import annotations

import uuid
from typing import Annotated

import structlog
from fastapi import APIRouter, Path
from pydantic import BaseModel
from sqlmodel import Session

from api.access import db, not_found
from api.deps import IdempotencyKey, InsurerDep, SessionDep, TemporalDep
from api.insurer_access import (
    find_own_request,
    list_own_requests,
    request_view,
)
from api.problems import ProblemError, problem_responses
from api.schemas import (
    DeclineBody,
    InsurerRequestSummary,
    InsurerRequestView,
    MessageBody,
    MessagePublic,
    QuoteBody,
)
from api.security import Principal, access_principal
from api.tender_client import TenderClient, update_id
from api.unread import ReadMarker, flag_unread, mark_read
from core.tokens import access_token_sha256
from models.insurer import Decline, QuoteInput, RequestStatus
from models.workflow_io import (
    CLOSED_TENDER_STATUSES,
    DeclineRequest,
    PostMessage,
    RequestOpened,
    SubmitQuote,
)
from store import queries

router = APIRouter(prefix="/insurer", tags=["insurer"])
log = structlog.get_logger(__name__)

RequestId = Annotated[str, Path(min_length=1, max_length=100)]
ACTION_ERRORS = problem_responses(401, 403, 404, 409, 422, 503)


@router.get(
    "/access/{token}",
    response_model=InsurerRequestView,
    responses=problem_responses(404, 422),
)
async def open_access_link(
    token: Annotated[str, Path(min_length=20, max_length=200)],
    session: SessionDep,
    temporal: TemporalDep,
) -> InsurerRequestView:
    """The invitation link: the request it grants, marked as opened."""
    match = await db(
        session,
        lambda s: queries.find_request_by_token_hash(s, access_token_sha256(token)),
    )
    if match is None:
        raise not_found("This link is not valid.")
    structlog.contextvars.bind_contextvars(tender_id=match.tender_id)
    request_id = match.request.request_id
    if match.request.status is RequestStatus.SENT:
        await temporal.request_opened(
            match.tender_id,
            RequestOpened(request_id=request_id, key=f"opened-{request_id}"),
        )
    principal = access_principal(match)
    return await db(session, lambda s: request_view(s, principal, request_id))


@router.get("/requests", response_model=list[InsurerRequestSummary])
def list_requests(
    principal: InsurerDep, session: SessionDep
) -> list[InsurerRequestSummary]:
    """The caller's own requests, newest first."""
    return list_own_requests(session, principal)


@router.get(
    "/requests/{request_id}",
    response_model=InsurerRequestView,
    responses=problem_responses(401, 403, 404),
)
def read_request(
    request_id: RequestId, principal: InsurerDep, session: SessionDep
) -> InsurerRequestView:
    """The request with the tender data needed to quote."""
    return request_view(session, principal, request_id)


async def _send(
    *,
    principal: Principal,
    session: Session,
    temporal: TenderClient,
    request_id: str,
    update: str,
    message: BaseModel,
    idempotency_key: str | None,
) -> str:
    own = await db(session, lambda s: find_own_request(s, principal, request_id))
    structlog.contextvars.bind_contextvars(tender_id=own.tender_id)
    if own.tender_status in CLOSED_TENDER_STATUSES:
        raise ProblemError(409, "tender_closed", "The tender is closed.")
    key = idempotency_key or uuid.uuid4().hex
    await temporal.update(
        own.tender_id,
        update,
        message,
        update_id=update_id(update, principal.subject, key),
    )
    return own.tender_id


@router.post(
    "/requests/{request_id}/quote",
    response_model=InsurerRequestView,
    responses=ACTION_ERRORS,
)
async def submit_quote(
    request_id: RequestId,
    body: QuoteBody,
    principal: InsurerDep,
    session: SessionDep,
    temporal: TemporalDep,
    idempotency_key: IdempotencyKey = None,
) -> InsurerRequestView:
    """Answer the request with a quote."""
    message = SubmitQuote(
        actor=principal.actor,
        request_id=request_id,
        quote=QuoteInput.model_validate(body.model_dump()),
    )
    await _send(
        principal=principal, session=session, temporal=temporal,
        request_id=request_id, update="submit_quote", message=message,
        idempotency_key=idempotency_key,
    )  # fmt: skip
    return await db(session, lambda s: request_view(s, principal, request_id))


@router.post(
    "/requests/{request_id}/decline",
    response_model=InsurerRequestView,
    responses=ACTION_ERRORS,
)
async def decline_request(
    request_id: RequestId,
    body: DeclineBody,
    principal: InsurerDep,
    session: SessionDep,
    temporal: TemporalDep,
    idempotency_key: IdempotencyKey = None,
) -> InsurerRequestView:
    """Decline the request, with a reason code."""
    message = DeclineRequest(
        actor=principal.actor,
        request_id=request_id,
        decline=Decline.model_validate(body.model_dump()),
    )
    await _send(
        principal=principal, session=session, temporal=temporal,
        request_id=request_id, update="decline_request", message=message,
        idempotency_key=idempotency_key,
    )  # fmt: skip
    return await db(session, lambda s: request_view(s, principal, request_id))


def _thread(session: Session, principal: Principal, request_id: str) -> list:
    own = find_own_request(session, principal, request_id)
    messages = queries.list_messages(session, own.tender_id, request_id)
    public = [MessagePublic.of(m) for m in messages]
    return flag_unread(session, principal, own.tender_id, None, public, request_id)


@router.get(
    "/requests/{request_id}/messages",
    response_model=list[MessagePublic],
    responses=problem_responses(401, 403, 404),
)
def list_messages(
    request_id: RequestId, principal: InsurerDep, session: SessionDep
) -> list[MessagePublic]:
    """The request's thread, oldest first."""
    return _thread(session, principal, request_id)


@router.post(
    "/requests/{request_id}/messages",
    status_code=201,
    response_model=list[MessagePublic],
    responses=ACTION_ERRORS,
)
async def post_message(
    request_id: RequestId,
    body: MessageBody,
    principal: InsurerDep,
    session: SessionDep,
    temporal: TemporalDep,
    idempotency_key: IdempotencyKey = None,
) -> list[MessagePublic]:
    """Ask a question (Rückfrage) or answer in the request's thread."""
    message = PostMessage(
        actor=principal.actor,
        request_id=request_id,
        text=body.text,
        attachments=body.attachments,
    )
    await _send(
        principal=principal, session=session, temporal=temporal,
        request_id=request_id, update="post_message", message=message,
        idempotency_key=idempotency_key,
    )  # fmt: skip
    return await db(session, lambda s: _thread(s, principal, request_id))


@router.post(
    "/requests/{request_id}/messages/read",
    response_model=ReadMarker,
    responses=problem_responses(401, 403, 404),
)
async def mark_messages_read(
    request_id: RequestId, principal: InsurerDep, session: SessionDep
) -> ReadMarker:
    """Mark the request's thread as read so far."""
    own = await db(session, lambda s: find_own_request(s, principal, request_id))
    return await db(
        session, lambda s: mark_read(s, principal, own.tender_id, request_id)
    )
