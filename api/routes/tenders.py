"""Start, list and read tenders."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Annotated, Literal

import structlog
from fastapi import APIRouter, Query, Request, Response
from sqlmodel import Session
from temporalio.common import SearchAttributePair

from api.access import TenderId, db, tender_detail, visible_tender
from api.deps import (
    BrokerDep,
    IdempotencyKey,
    ReaderDep,
    SessionDep,
    SettingsDep,
    TemporalDep,
)
from api.problems import FieldError, ProblemError, problem_responses
from api.schemas import (
    PolicyOptions,
    TenderDetail,
    TenderPage,
    TenderStarted,
    TenderSummary,
)
from api.security import Principal
from api.tender_client import static_summary
from api.unread import unread_count
from models.policy import ProcessingMode
from models.tender import LineOfBusiness, TenderCreate, TenderSubmission
from models.workflow_io import TenderStart, TenderStatus
from store import queries
from workflows import search_attributes as sa

router = APIRouter(prefix="/tenders", tags=["tenders"])
log = structlog.get_logger(__name__)

TENDER_ID_NAMESPACE = uuid.UUID("6f2d1c4e-93a4-4f0e-9d55-2b7a0c6e8f31")
READ_YOUR_WRITE_SECONDS = 3.0
MAX_PAGE = 100
SortParam = Literal[
    "updated_at", "-updated_at", "submitted_at", "-submitted_at",
    "next_deadline", "-next_deadline",
]  # fmt: skip


def _organisation(principal: Principal) -> str:
    if not principal.organisation_id:
        raise ProblemError(403, "forbidden", "Your token names no organisation.")
    return principal.organisation_id


@router.get(
    "/options",
    response_model=PolicyOptions,
    responses=problem_responses(401, 403, 422),
)
async def tender_options(
    line_of_business: LineOfBusiness, principal: BrokerDep, session: SessionDep
) -> PolicyOptions:
    """The policy for a line of business and the modes a broker may choose."""
    organisation_id = _organisation(principal)
    decision = await db(
        session,
        lambda s: queries.resolve_policy(s, organisation_id, line_of_business.value),
    )
    return PolicyOptions(
        organisation_id=organisation_id,
        line_of_business=line_of_business,
        policy=decision.policy,
        modes=decision.policy.modes(),
        timings=decision.timings,
    )


def new_tender_id(principal: Principal, idempotency_key: str | None) -> str:
    if idempotency_key is None:
        return str(uuid.uuid4())
    scope = f"{principal.organisation_id}\x1f{principal.subject}\x1f{idempotency_key}"
    return str(uuid.uuid5(TENDER_ID_NAMESPACE, scope))


def initial_status(mode: ProcessingMode | None) -> TenderStatus:
    if mode is None:
        return TenderStatus.AWAITING_MODE_CHOICE
    if mode is ProcessingMode.BACKOFFICE:
        return TenderStatus.AWAITING_ASSIGNMENT
    return TenderStatus.SUBMITTED


@router.post(
    "",
    status_code=201,
    response_model=TenderStarted,
    responses=problem_responses(401, 403, 409, 422, 503),
)
async def create_tender(
    body: TenderCreate,
    request: Request,
    response: Response,
    principal: BrokerDep,
    session: SessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> TenderStarted:
    """Submit a tender form; the tender starts in the mode the policy allows."""
    organisation_id = _organisation(principal)
    line = body.line_of_business
    decision = await db(
        session, lambda s: queries.resolve_policy(s, organisation_id, line.value)
    )
    allowed = decision.policy.modes()
    if body.processing_mode is not None and body.processing_mode not in allowed:
        raise ProblemError(
            422,
            "mode_not_allowed",
            f"The policy {decision.policy.value} does not allow "
            f"{body.processing_mode.value}.",
        )
    mode = body.processing_mode or (allowed[0] if len(allowed) == 1 else None)
    status = initial_status(mode)

    tender_id = new_tender_id(principal, idempotency_key)
    structlog.contextvars.bind_contextvars(tender_id=tender_id)
    start = TenderStart(
        tender_id=tender_id,
        organisation_id=organisation_id,
        broker=principal.actor,
        submission=TenderSubmission.model_validate(
            body.model_dump(exclude={"processing_mode"})
        ),
        requested_mode=body.processing_mode,
        portal_base_url=settings.public_base_url,
        correlation_id=request.state.request_id,
    )
    attributes: list[SearchAttributePair] = [
        SearchAttributePair(sa.TENDER_STATUS, status.value),
        SearchAttributePair(sa.LINE_OF_BUSINESS, line.value),
        SearchAttributePair(sa.BROKER_ORGANISATION, organisation_id),
        SearchAttributePair(sa.OPEN_REQUESTS, 0),
    ]
    if mode is not None:
        attributes.append(SearchAttributePair(sa.PROCESSING_MODE, mode.value))
    await temporal.start(
        start,
        search_attributes=attributes,
        summary=static_summary(line.value, body.trade, mode and mode.value),
    )
    log.info("tender_started", policy=decision.policy.value, mode=mode)

    projected = await _await_projection(session, tender_id)
    if projected is not None:
        status, mode = projected.status, projected.mode
    response.headers["Location"] = f"/tenders/{tender_id}"
    return TenderStarted(
        tender_id=tender_id, status=status, mode=mode, policy=decision.policy
    )


async def _await_projection(session: Session, tender_id: str) -> TenderSummary | None:
    """Wait briefly for the first step in the read model, so reads see the tender."""
    deadline = time.monotonic() + READ_YOUR_WRITE_SECONDS
    while time.monotonic() < deadline:
        found = await db(session, lambda s: queries.get_tender(s, tender_id))
        if found is not None:
            return TenderSummary.of(found.tender)
        await asyncio.sleep(0.05)
    log.info("tender_not_yet_projected")
    return None


@router.get("", response_model=TenderPage, responses=problem_responses(401, 403, 422))
async def list_tenders(
    principal: ReaderDep,
    session: SessionDep,
    status: Annotated[list[TenderStatus] | None, Query()] = None,
    mode: ProcessingMode | None = None,
    broker_id: Annotated[str | None, Query(max_length=200)] = None,
    line_of_business: LineOfBusiness | None = None,
    assignee_id: Annotated[str | None, Query(max_length=200)] = None,
    unassigned: bool = False,
    sort: SortParam = "-updated_at",
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
) -> TenderPage:
    """Tenders the caller may see, filtered and sorted, one page at a time."""
    visible = principal.visible_organisations()
    filters = queries.TenderFilters(
        status=status,
        mode=mode,
        broker_id=broker_id,
        line_of_business=line_of_business.value if line_of_business else None,
        assignee_id=assignee_id,
        unassigned=unassigned,
        organisation_ids=sorted(visible) if visible is not None else None,
    )
    order = queries.TenderSort(sort.lstrip("-"))

    def read(s):
        return queries.list_tenders(
            s,
            filters,
            sort=order,
            descending=sort.startswith("-"),
            limit=limit,
            cursor=cursor,
        )

    try:
        page = await db(session, read)
    except queries.InvalidCursor:
        raise ProblemError(
            422,
            "validation_error",
            "The cursor is not valid for this sort order.",
            errors=[
                FieldError(
                    field="query.cursor",
                    message="invalid cursor",
                    type="invalid_cursor",
                )
            ],
        ) from None
    return TenderPage(
        items=[TenderSummary.of(row) for row in page.rows],
        next_cursor=page.next_cursor,
    )


@router.get(
    "/{tender_id}",
    response_model=TenderDetail,
    responses=problem_responses(401, 403, 404),
)
async def read_tender(
    tender_id: TenderId,
    principal: ReaderDep,
    session: SessionDep,
    temporal: TemporalDep,
) -> TenderDetail:
    """The tender with its requests and quotes, plus the live state if available."""
    detail = await visible_tender(session, principal, tender_id)
    view = await temporal.view(tender_id)
    answer = tender_detail(principal, detail, view)
    answer.unread_messages = await db(
        session, lambda s: unread_count(s, principal, tender_id)
    )
    return answer
