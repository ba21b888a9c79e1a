"""What a tender workflow hands its read-model activity after each step.

A batch is applied in one database transaction and is idempotent: rows are
keyed by ids the workflow generated, and the tender row only moves forward in
`version`.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, Field

from models.actors import Actor, Role
from models.insurer import InsurerRequest, Quote, ThreadMessage
from models.policy import ProcessingMode
from models.tender import TenderSubmission
from models.workflow_io import TenderStatus


class NotificationKind(StrEnum):
    TENDER_CONFIRMATION = "tender_confirmation"
    TENDER_UNCLAIMED = "tender_unclaimed"
    INSURER_INVITATION = "insurer_invitation"
    INSURER_REMINDER = "insurer_reminder"
    NEW_MESSAGE = "new_message"
    QUOTE_RECEIVED = "quote_received"
    QUOTES_RELEASED = "quotes_released"
    REQUEST_DECLINED = "request_declined"
    REQUEST_LAPSED = "request_lapsed"
    BROKER_ACTION_REMINDER = "broker_action_reminder"
    QUOTE_EXPIRY_WARNING = "quote_expiry_warning"
    QUOTE_EXPIRED = "quote_expired"
    NO_OFFER = "no_offer"
    QUOTE_ACCEPTED = "quote_accepted"
    QUOTE_NOT_SELECTED = "quote_not_selected"
    REQUEST_WITHDRAWN = "request_withdrawn"
    TENDER_CANCELLED = "tender_cancelled"


class Notification(BaseModel):
    """A notice to one recipient; the activity renders its e-mail text."""

    notification_id: str
    tender_id: str
    kind: NotificationKind
    recipient_role: Role
    recipient_email: str
    request_id: str | None = None
    context: dict[str, str] = Field(default_factory=dict)
    created_at: AwareDatetime


class AuditEntry(BaseModel):
    """Who did what to which tender, and when."""

    event_id: str
    tender_id: str
    at: AwareDatetime
    actor: Actor
    action: str
    request_id: str | None = None
    quote_id: str | None = None
    details: dict[str, str] = Field(default_factory=dict)


class TenderSnapshot(BaseModel):
    """The tender row of the read model, with the columns lists filter on."""

    tender_id: str
    organisation_id: str
    broker_id: str
    broker_name: str | None = None
    line_of_business: str
    trade: str
    status: TenderStatus
    mode: ProcessingMode | None
    assignee_id: str | None = None
    assignee_name: str | None = None
    submitted_at: AwareDatetime
    updated_at: AwareDatetime
    closed_at: AwareDatetime | None = None
    accepted_quote_id: str | None = None
    requests_total: int = 0
    open_requests: int = 0
    quotes_total: int = 0
    next_deadline: AwareDatetime | None = None
    version: int


class ProjectionBatch(BaseModel):
    tender: TenderSnapshot
    submission: TenderSubmission | None = Field(
        default=None, description="Only in the first batch of a tender"
    )
    requests: list[InsurerRequest] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list)
    messages: list[ThreadMessage] = Field(default_factory=list)
    audit: list[AuditEntry] = Field(default_factory=list)
    notifications: list[Notification] = Field(default_factory=list)


class PolicyQuery(BaseModel):
    organisation_id: str
    line_of_business: str


class DeliverNotifications(BaseModel):
    """Outbox rows of one tender step to send; rows already done are skipped."""

    tender_id: str
    notification_ids: list[str]


class DeliveryResult(BaseModel):
    sent: int = 0
    skipped: int = Field(default=0, description="already done, or not in the outbox")
    failed: int = Field(default=0, description="refused for good; not retried")
