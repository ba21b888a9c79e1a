"""Who has read how much of a tender's messages, and what is still unread.

Each party keeps one marker: the broker and the backoffice for the whole
tender, an insurer for its own request's thread. A message is unread for a
party when the party did not write it, may see it, and it came after the
marker. The backoffice is no party of a self-service tender.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import func, literal, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models.policy import ProcessingMode
from store.tables import MessageReadRecord, TenderRecord, ThreadMessageRecord
from store.types import UtcDateTime

NEVER = datetime(1970, 1, 1, tzinfo=UTC)
BACKOFFICE = ProcessingMode.BACKOFFICE.value


class Party(StrEnum):
    BROKER = "broker"
    BACKOFFICE = "backoffice"
    INSURER = "insurer"


def _marker(party: Party, request_id: str | None):
    return (
        select(MessageReadRecord.last_read_at)
        .where(
            MessageReadRecord.tender_id == TenderRecord.tender_id,
            MessageReadRecord.party == party.value,
            MessageReadRecord.request_id == (request_id or ""),
        )
        .correlate(TenderRecord)
        .scalar_subquery()
    )


def _visible(party: Party, request_id: str | None):
    if party is Party.INSURER:
        return ThreadMessageRecord.request_id == request_id
    if party is Party.BACKOFFICE:
        return TenderRecord.mode == BACKOFFICE
    return or_(
        col(TenderRecord.mode).is_(None),
        TenderRecord.mode != BACKOFFICE,
        col(ThreadMessageRecord.request_id).is_(None),
    )


def unread_messages(party: Party, request_id: str | None = None):
    """Count of the party's unread messages, correlated with the tender row."""
    since = func.coalesce(_marker(party, request_id), literal(NEVER, UtcDateTime()))
    return (
        select(func.count())
        .select_from(ThreadMessageRecord)
        .where(
            ThreadMessageRecord.tender_id == TenderRecord.tender_id,
            ThreadMessageRecord.author_role != party.value,
            col(ThreadMessageRecord.sent_at) > since,
            _visible(party, request_id),
        )
        .correlate(TenderRecord)
        .scalar_subquery()
    )


def count_unread(
    session: Session, tender_id: str, party: Party, request_id: str | None = None
) -> int:
    found = session.exec(
        select(unread_messages(party, request_id)).where(
            TenderRecord.tender_id == tender_id
        )
    ).first()
    return int(found or 0)


def unread_since(
    session: Session, tender_id: str, party: Party, request_id: str | None = None
) -> datetime:
    """The party's marker; messages after it (not its own) are unread."""
    row = session.get(MessageReadRecord, (tender_id, party.value, request_id or ""))
    return row.last_read_at if row is not None else NEVER


def mark_read(
    session: Session,
    tender_id: str,
    party: Party,
    reader: str,
    request_id: str | None = None,
    now: datetime | None = None,
) -> MessageReadRecord:
    """Move the party's marker to now (never back) and commit."""
    now = now or datetime.now(UTC)
    last = session.exec(
        select(ThreadMessageRecord.message_id)
        .join(
            TenderRecord, col(TenderRecord.tender_id) == ThreadMessageRecord.tender_id
        )
        .where(
            ThreadMessageRecord.tender_id == tender_id,
            col(ThreadMessageRecord.sent_at) <= now,
            _visible(party, request_id),
        )
        .order_by(
            col(ThreadMessageRecord.sent_at).desc(),
            col(ThreadMessageRecord.message_id).desc(),
        )
    ).first()
    key = (tender_id, party.value, request_id or "")
    for attempt in range(2):
        row = session.get(MessageReadRecord, key)
        if row is None:
            row = MessageReadRecord(
                tender_id=tender_id,
                party=party.value,
                request_id=request_id or "",
                last_read_at=now,
                last_message_id=last,
                read_by=reader,
            )
            session.add(row)
        elif row.last_read_at < now:
            row.last_read_at, row.last_message_id, row.read_by = now, last, reader
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            if attempt:
                raise
            continue
        session.refresh(row)
        return row
    raise AssertionError("unreachable")
