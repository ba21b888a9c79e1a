"""Tables of the read model. Written only by the read-model activities.

Enums are stored as their string values and money as NUMERIC(14, 2); datetimes
are UTC and come back timezone-aware on every backend.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Index, Numeric, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from store.types import UtcDateTime

Json = JSON(none_as_null=True)
MONEY = Numeric(14, 2)


class TenderRecord(SQLModel, table=True):
    __tablename__ = "tender"

    tender_id: str = Field(primary_key=True, max_length=100)
    organisation_id: str = Field(index=True, max_length=100)
    broker_id: str = Field(index=True, max_length=200)
    broker_name: str | None = Field(default=None, max_length=200)
    line_of_business: str = Field(index=True, max_length=50)
    trade: str = Field(max_length=200)
    status: str = Field(index=True, max_length=40)
    mode: str | None = Field(default=None, index=True, max_length=40)
    assignee_id: str | None = Field(default=None, index=True, max_length=200)
    assignee_name: str | None = Field(default=None, max_length=200)
    submitted_at: datetime = Field(sa_type=UtcDateTime, index=True)
    updated_at: datetime = Field(sa_type=UtcDateTime, index=True)
    closed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    accepted_quote_id: str | None = Field(default=None, max_length=100)
    requests_total: int = 0
    open_requests: int = 0
    quotes_total: int = 0
    next_deadline: datetime | None = Field(
        default=None, sa_type=UtcDateTime, index=True
    )
    version: int
    submission: dict[str, Any] | None = Field(default=None, sa_type=Json)
    created_at: datetime = Field(sa_type=UtcDateTime)
    projected_at: datetime = Field(sa_type=UtcDateTime)


class InsurerRequestRecord(SQLModel, table=True):
    __tablename__ = "insurer_request"

    request_id: str = Field(primary_key=True, max_length=100)
    tender_id: str = Field(foreign_key="tender.tender_id", index=True, max_length=100)
    insurer_id: str = Field(index=True, max_length=100)
    insurer_name: str = Field(max_length=200)
    contact_email: str = Field(max_length=320)
    access_token_sha256: str = Field(unique=True, index=True, max_length=64)
    note: str | None = Field(default=None, sa_type=Text)
    status: str = Field(index=True, max_length=40)
    sent_at: datetime = Field(sa_type=UtcDateTime)
    deadline: datetime = Field(sa_type=UtcDateTime)
    reminders_sent: int = 0
    reminder_due: list[str] = Field(default_factory=list, sa_type=JSON)
    clarification_since: datetime | None = Field(default=None, sa_type=UtcDateTime)
    status_before_clarification: str | None = Field(default=None, max_length=40)
    decline: dict[str, Any] | None = Field(default=None, sa_type=Json)
    quote_id: str | None = Field(default=None, max_length=100)
    closed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    tender_version: int = Field(description="version of the batch that wrote the row")


class QuoteRecord(SQLModel, table=True):
    __tablename__ = "quote"

    quote_id: str = Field(primary_key=True, max_length=100)
    tender_id: str = Field(foreign_key="tender.tender_id", index=True, max_length=100)
    request_id: str = Field(
        foreign_key="insurer_request.request_id", index=True, max_length=100
    )
    insurer_id: str = Field(max_length=100)
    insurer_name: str = Field(max_length=200)
    tariff: str = Field(max_length=200)
    net_annual_premium_eur: Decimal = Field(sa_type=MONEY)
    gross_annual_premium_eur: Decimal = Field(sa_type=MONEY)
    payment_frequency: str = Field(max_length=20)
    deductible_eur: Decimal = Field(sa_type=MONEY)
    sums_insured: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    deviations: str | None = Field(default=None, sa_type=Text)
    insurer_reference: str | None = Field(default=None, max_length=100)
    valid_until: date
    documents: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    received_at: datetime = Field(sa_type=UtcDateTime)
    uploaded_by: dict[str, Any] = Field(sa_type=JSON)
    on_behalf_of_insurer: bool = False
    released: bool = False
    released_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    expired: bool = False
    expiry_warned: bool = False
    tender_version: int = Field(description="version of the batch that wrote the row")


class ThreadMessageRecord(SQLModel, table=True):
    __tablename__ = "thread_message"

    message_id: str = Field(primary_key=True, max_length=100)
    tender_id: str = Field(foreign_key="tender.tender_id", index=True, max_length=100)
    request_id: str | None = Field(default=None, index=True, max_length=100)
    author: dict[str, Any] = Field(sa_type=JSON)
    author_role: str = Field(max_length=20)
    text: str = Field(sa_type=Text)
    attachments: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    is_question: bool = False
    sent_at: datetime = Field(sa_type=UtcDateTime, index=True)


class MessageReadRecord(SQLModel, table=True):
    """How far a party has read a tender's messages.

    The broker and the backoffice read the whole tender (request_id ""); an
    insurer reads its own request's thread.
    """

    __tablename__ = "message_read"

    tender_id: str = Field(
        foreign_key="tender.tender_id", primary_key=True, max_length=100
    )
    party: str = Field(primary_key=True, max_length=20)
    request_id: str = Field(default="", primary_key=True, max_length=100)
    last_read_at: datetime = Field(sa_type=UtcDateTime)
    last_message_id: str | None = Field(default=None, max_length=100)
    read_by: str = Field(max_length=200)


class AuditEventRecord(SQLModel, table=True):
    __tablename__ = "audit_event"

    event_id: str = Field(primary_key=True, max_length=100)
    tender_id: str = Field(foreign_key="tender.tender_id", index=True, max_length=100)
    at: datetime = Field(sa_type=UtcDateTime, index=True)
    actor: dict[str, Any] = Field(sa_type=JSON)
    action: str = Field(max_length=100)
    request_id: str | None = Field(default=None, max_length=100)
    quote_id: str | None = Field(default=None, max_length=100)
    details: dict[str, str] = Field(default_factory=dict, sa_type=JSON)


class OutboxRecord(SQLModel, table=True):
    """A rendered e-mail waiting for (or done with) delivery."""

    __tablename__ = "outbox"

    notification_id: str = Field(primary_key=True, max_length=100)
    tender_id: str = Field(foreign_key="tender.tender_id", index=True, max_length=100)
    kind: str = Field(max_length=40)
    recipient_role: str = Field(max_length=20)
    recipient_email: str = Field(max_length=320)
    request_id: str | None = Field(default=None, max_length=100)
    subject: str = Field(max_length=500)
    body: str = Field(sa_type=Text)
    status: str = Field(default="pending", index=True, max_length=20)
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(sa_type=UtcDateTime, index=True)
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    webhook_status: str | None = Field(
        default=None, max_length=20, description="None until delivered or gone"
    )
    webhook_attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    webhook_last_error: str | None = Field(default=None, sa_type=Text)
    webhook_sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class PolicyRecord(SQLModel, table=True):
    """Processing-mode policy of an organisation, optionally per line of business.

    A NULL line_of_business is the organisation default; organisation "*" is the
    platform default. Both unique constraints are needed because NULLs are
    distinct in a plain unique constraint.
    """

    __tablename__ = "policy"
    __table_args__ = (
        UniqueConstraint("organisation_id", "line_of_business", name="uq_policy_line"),
        Index(
            "uq_policy_default",
            "organisation_id",
            unique=True,
            sqlite_where=text("line_of_business IS NULL"),
            postgresql_where=text("line_of_business IS NULL"),
        ),
    )

    policy_id: int | None = Field(default=None, primary_key=True)
    organisation_id: str = Field(index=True, max_length=100)
    line_of_business: str | None = Field(default=None, max_length=50)
    value: str = Field(max_length=20)
    backoffice_email: str | None = Field(default=None, max_length=320)
    timings: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    updated_at: datetime = Field(sa_type=UtcDateTime)
    updated_by: str = Field(max_length=200)


STATUS_PENDING = "pending"
STATUS_SENT = "sent"
STATUS_FAILED = "failed"
WEBHOOK_GONE = "gone"
