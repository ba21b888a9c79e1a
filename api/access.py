"""What a caller may see of a tender, read from the read model.

A tender of an organisation the caller does not serve answers exactly like a
tender that does not exist (404), so ids cannot be probed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

import structlog
from fastapi import Depends, Path
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.problems import ProblemError
from api.schemas import LiveTender, RequestPublic, TenderDetail, TenderSummary
from api.security import Principal
from models.actors import Role
from models.workflow_io import CLOSED_TENDER_STATUSES, TenderView
from store import queries

T = TypeVar("T")


async def bind_tender_id(
    tender_id: Annotated[str, Path(min_length=1, max_length=100)],
) -> str:
    structlog.contextvars.bind_contextvars(tender_id=tender_id)
    return tender_id


TenderId = Annotated[str, Depends(bind_tender_id)]


def tender_not_found() -> ProblemError:
    return ProblemError(404, "tender_not_found", "There is no such tender.")


def not_found(detail: str = "There is no such resource.") -> ProblemError:
    return ProblemError(404, "not_found", detail)


async def db(session: Session, read: Callable[[Session], T]) -> T:
    """Run a read in the thread pool as its own short transaction.

    `read` must return plain models, not ORM rows: the transaction ends (and
    the connection goes back to the pool) before the result is used.
    """

    def run() -> T:
        try:
            return read(session)
        finally:
            session.rollback()

    return await run_in_threadpool(run)


def find_visible_tender(
    session: Session, principal: Principal, tender_id: str
) -> queries.TenderDetail:
    detail = queries.get_tender(session, tender_id)
    if detail is None or not principal.may_see_organisation(
        detail.tender.organisation_id
    ):
        raise tender_not_found()
    return detail


async def visible_tender(
    session: Session, principal: Principal, tender_id: str
) -> queries.TenderDetail:
    return await db(session, lambda s: find_visible_tender(s, principal, tender_id))


def ensure_open(detail: queries.TenderDetail) -> None:
    if detail.tender.status in CLOSED_TENDER_STATUSES:
        raise ProblemError(409, "tender_closed", "The tender is closed.")


def released_only(principal: Principal) -> bool:
    return principal.role is Role.BROKER


def tender_detail(
    principal: Principal,
    detail: queries.TenderDetail,
    view: TenderView | None = None,
) -> TenderDetail:
    only_released = released_only(principal)
    return TenderDetail(
        tender=TenderSummary.of(detail.tender),
        submission=detail.submission,
        requests=[RequestPublic.of(r) for r in detail.requests],
        quotes=[q for q in detail.quotes if q.released or not only_released],
        live=LiveTender.of(view, released_only=only_released) if view else None,
    )
