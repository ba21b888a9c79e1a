"""Delivery state of outbox rows, written by the delivery activities.

Each function runs in the caller's transaction; the activities give every row
its own short one, so a row marked sent stays sent whatever happens to the next.
Updates are conditional: a row that is already sent (or failed, or gone) is
never moved back, and a late retry changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from store.tables import (
    STATUS_FAILED,
    STATUS_PENDING,
    STATUS_SENT,
    WEBHOOK_GONE,
    OutboxRecord,
)

__all__ = [
    "mark_failed",
    "mark_sent",
    "mark_webhook_gone",
    "mark_webhook_sent",
    "pending_rows",
    "pending_webhook_rows",
    "record_attempt",
    "record_webhook_attempt",
]


def pending_rows(
    session: Session, ids: Collection[str], tender_id: str | None = None
) -> list[OutboxRecord]:
    """Rows among `ids` whose e-mail is still to be sent, oldest first."""
    return _rows(session, ids, tender_id, col(OutboxRecord.status) == STATUS_PENDING)


def pending_webhook_rows(
    session: Session, ids: Collection[str], tender_id: str | None = None
) -> list[OutboxRecord]:
    """Rows among `ids` whose webhook is neither delivered nor refused for good."""
    return _rows(session, ids, tender_id, col(OutboxRecord.webhook_status).is_(None))


def mark_sent(session: Session, notification_id: str, at: datetime) -> bool:
    return _move(
        session,
        notification_id,
        status=STATUS_SENT,
        sent_at=at,
        attempts=OutboxRecord.attempts + 1,
        last_error=None,
    )


def mark_failed(session: Session, notification_id: str, error: str) -> bool:
    """The e-mail was refused for good; it is not sent again."""
    return _move(
        session,
        notification_id,
        status=STATUS_FAILED,
        attempts=OutboxRecord.attempts + 1,
        last_error=error,
    )


def record_attempt(session: Session, notification_id: str, error: str) -> bool:
    """A failed try that may succeed later; the row stays pending."""
    return _move(
        session,
        notification_id,
        attempts=OutboxRecord.attempts + 1,
        last_error=error,
    )


def mark_webhook_sent(session: Session, notification_id: str, at: datetime) -> bool:
    return _move_webhook(
        session,
        notification_id,
        webhook_status=STATUS_SENT,
        webhook_sent_at=at,
        webhook_attempts=OutboxRecord.webhook_attempts + 1,
        webhook_last_error=None,
    )


def mark_webhook_gone(session: Session, notification_id: str, error: str) -> bool:
    """The receiver answered 410 Gone: never post this event again."""
    return _move_webhook(
        session,
        notification_id,
        webhook_status=WEBHOOK_GONE,
        webhook_attempts=OutboxRecord.webhook_attempts + 1,
        webhook_last_error=error,
    )


def record_webhook_attempt(session: Session, notification_id: str, error: str) -> bool:
    return _move_webhook(
        session,
        notification_id,
        webhook_attempts=OutboxRecord.webhook_attempts + 1,
        webhook_last_error=error,
    )


def _rows(
    session: Session, ids: Collection[str], tender_id: str | None, condition
) -> list[OutboxRecord]:
    if not ids:
        return []
    statement = select(OutboxRecord).where(
        col(OutboxRecord.notification_id).in_(list(ids)), condition
    )
    if tender_id is not None:
        statement = statement.where(OutboxRecord.tender_id == tender_id)
    statement = statement.order_by(
        col(OutboxRecord.created_at), col(OutboxRecord.notification_id)
    )
    return list(session.exec(statement).all())


def _move(session: Session, notification_id: str, **values) -> bool:
    statement = (
        update(OutboxRecord)
        .where(
            col(OutboxRecord.notification_id) == notification_id,
            col(OutboxRecord.status) == STATUS_PENDING,
        )
        .values(**values)
    )
    return session.exec(statement).rowcount == 1


def _move_webhook(session: Session, notification_id: str, **values) -> bool:
    statement = (
        update(OutboxRecord)
        .where(
            col(OutboxRecord.notification_id) == notification_id,
            col(OutboxRecord.webhook_status).is_(None),
        )
        .values(**values)
    )
    return session.exec(statement).rowcount == 1
