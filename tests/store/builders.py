"""Realistic read-model payloads for the store tests."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from models.actors import Actor, Role
from models.insurer import InsurerRequest, Quote, RequestStatus, ThreadMessage
from models.policy import ProcessingMode
from models.projection import (
    AuditEntry,
    Notification,
    NotificationKind,
    ProjectionBatch,
    TenderSnapshot,
)
from models.tender import Address, BrokerContact, Policyholder, TenderSubmission
from models.workflow_io import TenderStatus

SUBMITTED_AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
BROKER = Actor(role=Role.BROKER, user_id="broker-1", organisation_id="org-a")
INSURER = Actor(role=Role.INSURER, user_id="ins-user", insurer_id="allsafe")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def submission() -> TenderSubmission:
    return TenderSubmission(
        line_of_business="business_liability",
        trade="Tischlerei",
        policyholder=Policyholder(
            name="Holzwerk Huber GmbH",
            address=Address(street="Am Anger 3", postal_code="80331", city="München"),
        ),
        broker=BrokerContact(
            name="Maria Beispiel", company="Beispiel Makler GmbH", email="m@example.de"
        ),
    )


def snapshot(tender_id: str = "t-1", version: int = 1, **changes) -> TenderSnapshot:
    values = dict(
        tender_id=tender_id,
        organisation_id="org-a",
        broker_id="broker-1",
        broker_name="Maria Beispiel",
        line_of_business="business_liability",
        trade="Tischlerei",
        status=TenderStatus.SUBMITTED,
        mode=ProcessingMode.SELF_SERVICE,
        submitted_at=SUBMITTED_AT,
        updated_at=SUBMITTED_AT + timedelta(minutes=version),
        version=version,
    )
    values.update(changes)
    return TenderSnapshot(**values)


def request(
    request_id: str = "r-1", token: str = "token-1", **changes
) -> InsurerRequest:
    values = dict(
        request_id=request_id,
        insurer_id="allsafe",
        insurer_name="AllSafe Versicherung AG",
        contact_email="underwriting@allsafe.example",
        access_token_sha256=token_hash(token),
        sent_at=SUBMITTED_AT + timedelta(hours=1),
        deadline=SUBMITTED_AT + timedelta(days=14),
        reminder_due=[SUBMITTED_AT + timedelta(days=7)],
    )
    values.update(changes)
    return InsurerRequest(**values)


def quote(quote_id: str = "q-1", request_id: str = "r-1", **changes) -> Quote:
    values = dict(
        quote_id=quote_id,
        request_id=request_id,
        insurer_id="allsafe",
        insurer_name="AllSafe Versicherung AG",
        tariff="Betriebshaftpflicht Komfort",
        net_annual_premium_eur=Decimal("1234.50"),
        gross_annual_premium_eur=Decimal("1469.06"),
        valid_until=date(2026, 5, 2),
        received_at=SUBMITTED_AT + timedelta(days=3),
        uploaded_by=INSURER,
    )
    values.update(changes)
    return Quote(**values)


def message(message_id: str = "m-1", request_id: str | None = "r-1") -> ThreadMessage:
    return ThreadMessage(
        message_id=message_id,
        request_id=request_id,
        author=INSURER,
        text="Gibt es Vorschäden in den letzten fünf Jahren?",
        is_question=True,
        sent_at=SUBMITTED_AT + timedelta(days=2),
    )


def audit(event_id: str = "a-1", tender_id: str = "t-1") -> AuditEntry:
    return AuditEntry(
        event_id=event_id,
        tender_id=tender_id,
        at=SUBMITTED_AT,
        actor=BROKER,
        action="tender_submitted",
    )


def notification(
    kind: NotificationKind = NotificationKind.TENDER_CONFIRMATION,
    notification_id: str = "n-1",
    tender_id: str = "t-1",
    role: Role = Role.BROKER,
    **context: str,
) -> Notification:
    return Notification(
        notification_id=notification_id,
        tender_id=tender_id,
        kind=kind,
        recipient_role=role,
        recipient_email="m@example.de",
        context=context,
        created_at=SUBMITTED_AT,
    )


def first_batch(tender_id: str = "t-1", **snapshot_changes) -> ProjectionBatch:
    return ProjectionBatch(
        tender=snapshot(tender_id, 1, **snapshot_changes),
        submission=submission(),
        audit=[audit(f"a-{tender_id}", tender_id)],
        notifications=[
            notification(notification_id=f"n-{tender_id}", tender_id=tender_id)
        ],
    )


def tendering_batch(version: int = 2) -> ProjectionBatch:
    return ProjectionBatch(
        tender=snapshot(
            version=version,
            status=TenderStatus.TENDERING,
            requests_total=1,
            open_requests=1,
            next_deadline=SUBMITTED_AT + timedelta(days=14),
        ),
        requests=[request(status=RequestStatus.SENT)],
        messages=[message()],
        audit=[audit("a-2")],
    )
