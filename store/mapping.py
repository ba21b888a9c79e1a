"""Between payload models (models/) and table rows, in both directions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from models.insurer import InsurerRequest, Quote, ThreadMessage
from models.projection import AuditEntry, Notification, TenderSnapshot
from models.tender import TenderSubmission
from store.tables import (
    STATUS_PENDING,
    AuditEventRecord,
    InsurerRequestRecord,
    QuoteRecord,
    TenderRecord,
    ThreadMessageRecord,
)

SNAPSHOT_FIELDS = tuple(TenderSnapshot.model_fields)


def tender_values(
    snapshot: TenderSnapshot, submission: TenderSubmission | None, now: datetime
) -> dict[str, Any]:
    values = snapshot.model_dump(mode="python")
    values["status"] = snapshot.status.value
    values["mode"] = snapshot.mode.value if snapshot.mode else None
    values["submission"] = submission.model_dump(mode="json") if submission else None
    values["created_at"] = now
    values["projected_at"] = now
    return values


def request_values(request: InsurerRequest, tender_id: str, version: int) -> dict:
    values = request.model_dump(mode="python", exclude={"reminder_due", "decline"})
    values["status"] = request.status.value
    if request.status_before_clarification is not None:
        values["status_before_clarification"] = (
            request.status_before_clarification.value
        )
    dumped = request.model_dump(mode="json", include={"reminder_due", "decline"})
    values.update(dumped)
    values["tender_id"] = tender_id
    values["tender_version"] = version
    return values


QUOTE_JSON_FIELDS = {"sums_insured", "documents", "uploaded_by"}


def quote_values(quote: Quote, tender_id: str, version: int) -> dict[str, Any]:
    values = quote.model_dump(mode="python", exclude=QUOTE_JSON_FIELDS)
    values["payment_frequency"] = quote.payment_frequency.value
    values.update(quote.model_dump(mode="json", include=QUOTE_JSON_FIELDS))
    values["tender_id"] = tender_id
    values["tender_version"] = version
    return values


def message_values(message: ThreadMessage, tender_id: str) -> dict[str, Any]:
    values = message.model_dump(mode="python", exclude={"author", "attachments"})
    values.update(message.model_dump(mode="json", include={"author", "attachments"}))
    values["author_role"] = message.author.role.value
    values["tender_id"] = tender_id
    return values


def audit_values(entry: AuditEntry) -> dict[str, Any]:
    values = entry.model_dump(mode="python", exclude={"actor"})
    values["actor"] = entry.actor.model_dump(mode="json")
    return values


def outbox_values(notification: Notification, subject: str, body: str) -> dict:
    return {
        "notification_id": notification.notification_id,
        "tender_id": notification.tender_id,
        "kind": notification.kind.value,
        "recipient_role": notification.recipient_role.value,
        "recipient_email": notification.recipient_email,
        "request_id": notification.request_id,
        "subject": subject,
        "body": body,
        "status": STATUS_PENDING,
        "attempts": 0,
        "created_at": notification.created_at,
    }


def to_snapshot(row: TenderRecord) -> TenderSnapshot:
    return TenderSnapshot.model_validate(
        {name: getattr(row, name) for name in SNAPSHOT_FIELDS}
    )


def to_submission(row: TenderRecord) -> TenderSubmission | None:
    if row.submission is None:
        return None
    return TenderSubmission.model_validate(row.submission)


def to_request(row: InsurerRequestRecord) -> InsurerRequest:
    return InsurerRequest.model_validate(_fields(row, InsurerRequest))


def to_quote(row: QuoteRecord) -> Quote:
    return Quote.model_validate(_fields(row, Quote))


def to_message(row: ThreadMessageRecord) -> ThreadMessage:
    return ThreadMessage.model_validate(_fields(row, ThreadMessage))


def to_audit(row: AuditEventRecord) -> AuditEntry:
    return AuditEntry.model_validate(_fields(row, AuditEntry))


def _fields(row: object, model: type) -> dict[str, Any]:
    return {name: getattr(row, name) for name in model.model_fields}
