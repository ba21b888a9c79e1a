"""The backoffice work queue ("Manuelle Anfragen"): open tenders by view.

`broker_action_required` is derived here from the request and quote rows with
the same rule the workflow uses for BROKER_ACTION_REQUIRED: a mode and (in
backoffice mode) an assignee, no open request, at least one quote that is
released and not expired, not closed.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel
from sqlalchemy import and_, case, exists, literal, not_, or_
from sqlmodel import Session, col, select

from models.insurer import OPEN_REQUEST_STATUSES
from models.policy import ProcessingMode
from models.workflow_io import CLOSED_TENDER_STATUSES, TenderStatus
from store.queries import (
    MAX_PAGE_SIZE,
    decode_cursor,
    encode_cursor,
    keyset_ordered,
)
from store.reads import Party, unread_messages
from store.tables import InsurerRequestRecord, QuoteRecord, TenderRecord

BACKOFFICE = ProcessingMode.BACKOFFICE.value


class QueueView(StrEnum):
    OPEN = "open"
    UNASSIGNED = "unassigned"
    BROKER_ACTION_REQUIRED = "broker_action_required"
    UNREAD = "unread"


class QueueSort(StrEnum):
    UPDATED_AT = "updated_at"
    SUBMITTED_AT = "submitted_at"
    ASSIGNEE = "assignee"  # unassigned tenders first in either direction


class QueueRow(BaseModel):
    tender_id: str
    organisation_id: str
    broker_id: str
    broker_name: str | None
    assignee_id: str | None
    assignee_name: str | None
    line_of_business: str
    trade: str
    status: TenderStatus
    mode: ProcessingMode | None
    self_service: bool
    broker_action_required: bool
    submitted_at: datetime
    updated_at: datetime
    unread: int


class QueuePage(BaseModel):
    rows: list[QueueRow]
    next_cursor: str | None = None


def broker_action_required():
    """True for a tender whose broker can accept a quote now."""
    open_request = exists().where(
        InsurerRequestRecord.tender_id == TenderRecord.tender_id,
        col(InsurerRequestRecord.status).in_([s.value for s in OPEN_REQUEST_STATUSES]),
    )
    acceptable_quote = exists().where(
        QuoteRecord.tender_id == TenderRecord.tender_id,
        col(QuoteRecord.released).is_(True),
        col(QuoteRecord.expired).is_(False),
    )
    return and_(
        _open(),
        col(TenderRecord.mode).is_not(None),
        or_(
            TenderRecord.mode != BACKOFFICE, col(TenderRecord.assignee_id).is_not(None)
        ),
        not_(open_request),
        acceptable_quote,
    )


def list_queue(
    session: Session,
    view: QueueView = QueueView.OPEN,
    *,
    organisation_ids: list[str] | None = None,
    search: str | None = None,
    sort: QueueSort = QueueSort.UPDATED_AT,
    descending: bool = True,
    limit: int = 50,
    cursor: str | None = None,
) -> QueuePage:
    """One page of the queue; organisation_ids None means every organisation.

    Raises store.queries.InvalidCursor for a cursor of another sort order.
    """
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    unread = unread_messages(Party.BACKOFFICE)
    action = case((broker_action_required(), True), else_=False)
    key = _sort_key(sort, descending)
    tie = col(TenderRecord.tender_id)
    statement = select(
        TenderRecord, unread.label("unread"), action.label("action")
    ).where(_open())
    if organisation_ids is not None:
        statement = statement.where(
            col(TenderRecord.organisation_id).in_(organisation_ids)
        )
    if search:
        statement = statement.where(tie.startswith(search, autoescape=True))
    statement = statement.where(*_view_conditions(view, unread))

    after = None
    if cursor is not None:
        after = decode_cursor(cursor, sort, descending, text=sort is QueueSort.ASSIGNEE)
    statement = keyset_ordered(statement, key, tie, descending, after)
    found = session.exec(statement.limit(limit + 1)).all()

    page = found[:limit]
    next_cursor = None
    if len(found) > limit:
        last = page[-1][0]
        value = _key_value(last, sort, descending)
        next_cursor = encode_cursor(sort, descending, value, last.tender_id)
    return QueuePage(
        rows=[_row(t, count, flag) for t, count, flag in page],
        next_cursor=next_cursor,
    )


def _open():
    closed = [s.value for s in CLOSED_TENDER_STATUSES]
    return col(TenderRecord.status).not_in(closed)


def _view_conditions(view: QueueView, unread) -> list:
    if view is QueueView.UNASSIGNED:
        return [
            TenderRecord.mode == BACKOFFICE,
            col(TenderRecord.assignee_id).is_(None),
        ]
    if view is QueueView.BROKER_ACTION_REQUIRED:
        return [broker_action_required()]
    if view is QueueView.UNREAD:
        return [unread > 0]
    return []


def _assignee_prefixes(descending: bool) -> tuple[str, str]:
    """(unassigned, assigned) prefixes that put unassigned tenders first."""
    return ("1", "0") if descending else ("0", "1")


def _sort_key(sort: QueueSort, descending: bool):
    if sort is not QueueSort.ASSIGNEE:
        return col(getattr(TenderRecord, sort.value))
    unassigned, assigned = _assignee_prefixes(descending)
    assignee = col(TenderRecord.assignee_id)
    return case(
        (assignee.is_(None), literal(unassigned)),
        else_=literal(assigned).concat(assignee),
    )


def _key_value(tender: TenderRecord, sort: QueueSort, descending: bool):
    if sort is not QueueSort.ASSIGNEE:
        return getattr(tender, sort.value)
    unassigned, assigned = _assignee_prefixes(descending)
    if tender.assignee_id is None:
        return unassigned
    return assigned + tender.assignee_id


def _row(tender: TenderRecord, unread: int, action: bool) -> QueueRow:
    return QueueRow(
        tender_id=tender.tender_id,
        organisation_id=tender.organisation_id,
        broker_id=tender.broker_id,
        broker_name=tender.broker_name,
        assignee_id=tender.assignee_id,
        assignee_name=tender.assignee_name,
        line_of_business=tender.line_of_business,
        trade=tender.trade,
        status=TenderStatus(tender.status),
        mode=ProcessingMode(tender.mode) if tender.mode else None,
        self_service=tender.mode == ProcessingMode.SELF_SERVICE.value,
        broker_action_required=bool(action),
        submitted_at=tender.submitted_at,
        updated_at=tender.updated_at,
        unread=int(unread or 0),
    )
