"""Outbox rows made the way the workflow makes them: through project_tender."""

from __future__ import annotations

import base64
import os
from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session
from temporalio.testing import ActivityEnvironment

from activities.readmodel import ReadModelActivities
from core.settings import Settings
from models.actors import Role
from models.insurer import RequestStatus
from models.projection import (
    DeliverNotifications,
    Notification,
    NotificationKind,
    ProjectionBatch,
)
from models.workflow_io import TenderStatus
from store.tables import OutboxRecord
from tests.store import builders

BROKER_EMAIL = "maria.beispiel@beispiel-makler.example"
INSURER_EMAIL = "underwriting@allsafe.example"
MAIL_FROM = "Ausschreibungsservice <no-reply@tenders.example>"
NO_REPLY = "no-reply@tenders.example"


def settings(**changes: object) -> Settings:
    values: dict[str, object] = {
        "mail_from": MAIL_FROM,
        "smtp_host": "127.0.0.1",
        "smtp_timeout_seconds": 5.0,
        "webhook_url": "",
        "webhook_timeout_seconds": 5.0,
    }
    values.update(changes)
    return Settings(_env_file=None, **values)


def webhook_secret() -> str:
    return "whsec_" + base64.b64encode(os.urandom(32)).decode()


def seed(engine: Engine, tender_id: str = "t-1") -> DeliverNotifications:
    """A tender whose step left a broker confirmation and an insurer invitation."""
    first = builders.first_batch(tender_id)
    first.notifications = []
    _project(engine, first)

    sent_at = builders.SUBMITTED_AT + timedelta(hours=1)
    batch = ProjectionBatch(
        tender=builders.snapshot(
            tender_id,
            2,
            status=TenderStatus.TENDERING,
            requests_total=1,
            open_requests=1,
        ),
        requests=[
            builders.request(
                f"r-{tender_id}", f"token-{tender_id}", status=RequestStatus.SENT
            )
        ],
        notifications=[
            Notification(
                notification_id=f"n-{tender_id}-confirmation",
                tender_id=tender_id,
                kind=NotificationKind.TENDER_CONFIRMATION,
                recipient_role=Role.BROKER,
                recipient_email=BROKER_EMAIL,
                created_at=sent_at,
            ),
            Notification(
                notification_id=f"n-{tender_id}-invitation",
                tender_id=tender_id,
                kind=NotificationKind.INSURER_INVITATION,
                recipient_role=Role.INSURER,
                recipient_email=INSURER_EMAIL,
                request_id=f"r-{tender_id}",
                context={
                    "insurer_name": "AllSafe Versicherung AG",
                    "deadline": (sent_at + timedelta(days=14)).isoformat(),
                    "access_link": "https://app.example/insurer/abc",
                    "note": "Bitte Vorschäden der letzten fünf Jahre berücksichtigen.",
                },
                created_at=sent_at + timedelta(seconds=1),
            ),
        ],
    )
    _project(engine, batch)
    return DeliverNotifications(
        tender_id=tender_id,
        notification_ids=[n.notification_id for n in batch.notifications],
    )


def row(engine: Engine, notification_id: str) -> OutboxRecord:
    with Session(engine) as session:
        found = session.get(OutboxRecord, notification_id)
        assert found is not None
        return found


def _project(engine: Engine, batch: ProjectionBatch) -> None:
    activities = ReadModelActivities(engine, public_base_url="https://app.example")
    ActivityEnvironment().run(activities.project_tender, batch)
