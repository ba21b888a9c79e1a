"""Reads for the API. Plain functions over a Session; they never write, except
`upsert_policy`, which commits."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import and_, func, literal, or_
from sqlmodel import Session, col, select

from models.insurer import InsurerRequest, Quote, ThreadMessage
from models.policy import ProcessingMode
from models.projection import AuditEntry, TenderSnapshot
from models.tender import TenderSubmission
from models.workflow_io import TenderStatus
from store import mapping
from store.policies import list_policies, resolve_policy, upsert_policy
from store.tables import (
    AuditEventRecord,
    InsurerRequestRecord,
    OutboxRecord,
    QuoteRecord,
    TenderRecord,
    ThreadMessageRecord,
)
from store.types import UtcDateTime

__all__ = [
    "InvalidCursor",
    "TenderDetail",
    "TenderFilters",
    "TenderPage",
    "TenderSort",
    "find_request_by_token_hash",
    "get_tender",
    "list_audit",
    "list_messages",
    "list_outbox",
    "list_policies",
    "list_tenders",
    "resolve_policy",
    "upsert_policy",
]

MAX_PAGE_SIZE = 200
NO_DEADLINE = datetime(9999, 12, 31, tzinfo=UTC)


class InvalidCursor(ValueError):
    """The cursor is malformed or was made for another sort order."""


class TenderSort(StrEnum):
    UPDATED_AT = "updated_at"
    SUBMITTED_AT = "submitted_at"
    NEXT_DEADLINE = "next_deadline"  # tenders without a deadline come last


class TenderFilters(BaseModel):
    """Filters of the tender list; None means "any".

    organisation_ids restricts to those organisations; an empty list matches
    nothing (a caller entitled to no organisation sees no tender).
    """

    status: list[TenderStatus] | None = None
    mode: ProcessingMode | None = None
    broker_id: str | None = None
    organisation_id: str | None = None
    organisation_ids: list[str] | None = None
    assignee_id: str | None = None
    unassigned: bool = False
    line_of_business: str | None = None


class TenderPage(BaseModel):
    rows: list[TenderSnapshot]
    next_cursor: str | None = None


class TenderDetail(BaseModel):
    tender: TenderSnapshot
    submission: TenderSubmission | None
    requests: list[InsurerRequest] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list)


class RequestMatch(BaseModel):
    tender_id: str
    request: InsurerRequest


def get_tender(session: Session, tender_id: str) -> TenderDetail | None:
    row = session.get(TenderRecord, tender_id)
    if row is None:
        return None
    requests = session.exec(
        select(InsurerRequestRecord)
        .where(InsurerRequestRecord.tender_id == tender_id)
        .order_by(
            col(InsurerRequestRecord.sent_at), col(InsurerRequestRecord.request_id)
        )
    ).all()
    quotes = session.exec(
        select(QuoteRecord)
        .where(QuoteRecord.tender_id == tender_id)
        .order_by(col(QuoteRecord.received_at), col(QuoteRecord.quote_id))
    ).all()
    return TenderDetail(
        tender=mapping.to_snapshot(row),
        submission=mapping.to_submission(row),
        requests=[mapping.to_request(r) for r in requests],
        quotes=[mapping.to_quote(q) for q in quotes],
    )


def keyset_ordered(
    statement: Any,
    key: Any,
    tie: Any,
    descending: bool,
    after: tuple[Any, str] | None = None,
) -> Any:
    """Order by `key`, ties broken by `tie`, continuing after a cursor's
    (value, id): keyset paging stays stable while rows are added."""
    if after is not None:
        value, last_id = after
        if descending:
            statement = statement.where(
                or_(key < value, and_(key == value, tie < last_id))
            )
        else:
            statement = statement.where(
                or_(key > value, and_(key == value, tie > last_id))
            )
    order = (key.desc(), tie.desc()) if descending else (key.asc(), tie.asc())
    return statement.order_by(*order)


def list_tenders(
    session: Session,
    filters: TenderFilters | None = None,
    *,
    sort: TenderSort = TenderSort.UPDATED_AT,
    descending: bool = True,
    limit: int = 50,
    cursor: str | None = None,
) -> TenderPage:
    """One page of tenders; pass `next_cursor` back for the next page.

    Raises InvalidCursor for a cursor of another sort order or a broken one.
    """
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    key = _sort_expression(sort)
    tie = col(TenderRecord.tender_id)
    statement = select(TenderRecord).where(*_conditions(filters or TenderFilters()))

    after = decode_cursor(cursor, sort, descending) if cursor is not None else None
    statement = keyset_ordered(statement, key, tie, descending, after)
    rows = session.exec(statement.limit(limit + 1)).all()

    page = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        last = page[-1]
        value = getattr(last, sort.value) or NO_DEADLINE
        next_cursor = encode_cursor(sort, descending, value, last.tender_id)
    return TenderPage(
        rows=[mapping.to_snapshot(r) for r in page], next_cursor=next_cursor
    )


def list_messages(
    session: Session, tender_id: str, request_id: str | None = None
) -> list[ThreadMessage]:
    """Messages of the tender, oldest first; with request_id, that thread only."""
    statement = select(ThreadMessageRecord).where(
        ThreadMessageRecord.tender_id == tender_id
    )
    if request_id is not None:
        statement = statement.where(ThreadMessageRecord.request_id == request_id)
    rows = session.exec(
        statement.order_by(
            col(ThreadMessageRecord.sent_at), col(ThreadMessageRecord.message_id)
        )
    ).all()
    return [mapping.to_message(r) for r in rows]


def list_audit(session: Session, tender_id: str) -> list[AuditEntry]:
    rows = session.exec(
        select(AuditEventRecord)
        .where(AuditEventRecord.tender_id == tender_id)
        .order_by(col(AuditEventRecord.at), col(AuditEventRecord.event_id))
    ).all()
    return [mapping.to_audit(r) for r in rows]


def list_outbox(session: Session, tender_id: str) -> list[OutboxRecord]:
    return list(
        session.exec(
            select(OutboxRecord)
            .where(OutboxRecord.tender_id == tender_id)
            .order_by(col(OutboxRecord.created_at), col(OutboxRecord.notification_id))
        ).all()
    )


def find_request_by_token_hash(session: Session, sha256: str) -> RequestMatch | None:
    row = session.exec(
        select(InsurerRequestRecord).where(
            InsurerRequestRecord.access_token_sha256 == sha256
        )
    ).first()
    if row is None:
        return None
    return RequestMatch(tender_id=row.tender_id, request=mapping.to_request(row))


def _conditions(filters: TenderFilters) -> list:
    conditions = []
    if filters.status is not None:
        conditions.append(
            col(TenderRecord.status).in_([s.value for s in filters.status])
        )
    if filters.mode is not None:
        conditions.append(TenderRecord.mode == filters.mode.value)
    if filters.broker_id is not None:
        conditions.append(TenderRecord.broker_id == filters.broker_id)
    if filters.organisation_id is not None:
        conditions.append(TenderRecord.organisation_id == filters.organisation_id)
    if filters.organisation_ids is not None:
        conditions.append(
            col(TenderRecord.organisation_id).in_(filters.organisation_ids)
        )
    if filters.assignee_id is not None:
        conditions.append(TenderRecord.assignee_id == filters.assignee_id)
    if filters.unassigned:
        conditions.append(col(TenderRecord.assignee_id).is_(None))
    if filters.line_of_business is not None:
        conditions.append(TenderRecord.line_of_business == filters.line_of_business)
    return conditions


def _sort_expression(sort: TenderSort):
    column = col(getattr(TenderRecord, sort.value))
    if sort is TenderSort.NEXT_DEADLINE:
        return func.coalesce(column, literal(NO_DEADLINE, UtcDateTime()))
    return column


def encode_cursor(
    sort: StrEnum, descending: bool, value: datetime | str, tender_id: str
) -> str:
    """A keyset cursor: the sort, its direction and the last row's key and id."""
    text = value.isoformat() if isinstance(value, datetime) else value
    payload = {"s": sort.value, "d": descending, "v": text, "i": tender_id}
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(
    cursor: str, sort: StrEnum, descending: bool, *, text: bool = False
) -> tuple[datetime | str, str]:
    """The key and id in a cursor; a text key with `text`, else a datetime."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
        value = str(payload["v"]) if text else datetime.fromisoformat(payload["v"])
        tender_id = str(payload["i"])
        matches = payload["s"] == sort.value and payload["d"] is descending
    except (binascii.Error, ValueError, KeyError, TypeError) as error:
        raise InvalidCursor("malformed cursor") from error
    naive = isinstance(value, datetime) and value.tzinfo is None
    if not matches or naive:
        raise InvalidCursor("cursor belongs to another sort order")
    return value, tender_id
