"""The insurer's window on a tender: its own requests, nothing else.

An insurer JWT reaches every request of its insurer; an access token from an
invitation link reaches that one request. Anything else answers 404.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from api.access import not_found
from api.schemas import InsurerRequestSummary, InsurerRequestView, insurer_tender
from api.security import Principal
from models.insurer import InsurerRequest
from store import mapping, queries
from store.tables import InsurerRequestRecord, TenderRecord

MAX_REQUESTS = 200


class OwnRequest:
    """A request the caller may act on, with the tender it belongs to."""

    def __init__(self, tender_id: str, tender_status: str, request: InsurerRequest):
        self.tender_id = tender_id
        self.tender_status = tender_status
        self.request = request


def owns(principal: Principal, request: InsurerRequest) -> bool:
    if principal.scoped_request_id is not None:
        return request.request_id == principal.scoped_request_id
    return (
        principal.insurer_id is not None and request.insurer_id == principal.insurer_id
    )


def find_own_request(
    session: Session, principal: Principal, request_id: str
) -> OwnRequest:
    row = session.get(InsurerRequestRecord, request_id)
    if row is None:
        raise not_found("There is no such request.")
    request = mapping.to_request(row)
    tender = session.get(TenderRecord, row.tender_id)
    if tender is None or not owns(principal, request):
        raise not_found("There is no such request.")
    return OwnRequest(row.tender_id, tender.status, request)


def request_view(
    session: Session, principal: Principal, request_id: str
) -> InsurerRequestView:
    own = find_own_request(session, principal, request_id)
    detail = queries.get_tender(session, own.tender_id)
    if detail is None or detail.submission is None:
        raise not_found("There is no such request.")
    request = own.request
    quote = next(
        (q for q in detail.quotes if q.quote_id == request.quote_id),
        None,
    )
    return InsurerRequestView(
        request_id=request.request_id,
        insurer_id=request.insurer_id,
        insurer_name=request.insurer_name,
        note=request.note,
        status=request.status,
        sent_at=request.sent_at,
        deadline=request.deadline,
        decline=request.decline,
        quote=quote,
        tender=insurer_tender(own.tender_id, detail.submission, request.insurer_id),
    )


def list_own_requests(
    session: Session, principal: Principal
) -> list[InsurerRequestSummary]:
    statement = select(InsurerRequestRecord, TenderRecord).join(
        TenderRecord, col(TenderRecord.tender_id) == col(InsurerRequestRecord.tender_id)
    )
    if principal.scoped_request_id is not None:
        statement = statement.where(
            InsurerRequestRecord.request_id == principal.scoped_request_id
        )
    elif principal.insurer_id is not None:
        statement = statement.where(
            InsurerRequestRecord.insurer_id == principal.insurer_id
        )
    else:
        return []
    rows = session.exec(
        statement.order_by(
            col(InsurerRequestRecord.sent_at).desc(),
            col(InsurerRequestRecord.request_id),
        ).limit(MAX_REQUESTS)
    ).all()
    return [
        InsurerRequestSummary(
            request_id=request.request_id,
            tender_id=request.tender_id,
            line_of_business=tender.line_of_business,
            trade=tender.trade,
            status=request.status,
            sent_at=request.sent_at,
            deadline=request.deadline,
            quote_id=request.quote_id,
        )
        for request, tender in rows
    ]
