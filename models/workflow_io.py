"""Inputs, messages and views of the tender workflow.

Everything here travels through Temporal histories of tenders that stay open
for weeks: add fields only with defaults, never rename or remove one, and never
forbid extra fields.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, Field

from models.actors import Actor
from models.insurer import (
    Attachment,
    Decline,
    InsurerInvite,
    InsurerRequest,
    Quote,
    QuoteInput,
)
from models.policy import PolicyDecision, ProcessingMode
from models.tender import TenderSubmission

WORKFLOW_NAME = "tender"


def workflow_id_for(tender_id: str) -> str:
    return f"tender-{tender_id}"


class TenderStatus(StrEnum):
    SUBMITTED = "SUBMITTED"
    AWAITING_MODE_CHOICE = "AWAITING_MODE_CHOICE"
    AWAITING_ASSIGNMENT = "AWAITING_ASSIGNMENT"
    IN_REVIEW = "IN_REVIEW"
    TENDERING = "TENDERING"
    BROKER_ACTION_REQUIRED = "BROKER_ACTION_REQUIRED"
    NO_OFFER = "NO_OFFER"
    CONCLUDED = "CONCLUDED"
    CANCELLED = "CANCELLED"


CLOSED_TENDER_STATUSES = frozenset({TenderStatus.CONCLUDED, TenderStatus.CANCELLED})


class TenderStart(BaseModel):
    """Workflow input: a submitted tender."""

    tender_id: str
    organisation_id: str
    broker: Actor
    submission: TenderSubmission
    requested_mode: ProcessingMode | None = None
    portal_base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Base of the insurers' access links: {base}/insurer/access/{token}",
    )
    correlation_id: str | None = None
    max_history_events: int | None = Field(
        default=None,
        description="Continue as new beyond this many events (tests lower it)",
    )


class Message(BaseModel):
    """Common part of every message to a tender."""

    actor: Actor


class ChooseMode(Message):
    mode: ProcessingMode


class AddInsurers(Message):
    insurers: list[InsurerInvite] = Field(min_length=1, max_length=100)
    access_tokens: dict[str, str] = Field(
        default_factory=dict,
        description="insurer_id -> access token for its invitation link",
    )


class Claim(Message):
    pass


class Assign(Message):
    """Hand a claimed tender to another agent, or back to the queue (None)."""

    assignee: Actor | None = None


class SubmitQuote(Message):
    request_id: str
    quote: QuoteInput


class DeclineRequest(Message):
    request_id: str
    decline: Decline


class PostMessage(Message):
    request_id: str | None = None
    text: str = Field(min_length=1, max_length=10_000)
    attachments: list[Attachment] = Field(default_factory=list, max_length=20)


class RequestResubmission(Message):
    """Ask the insurer of an expired quote for a new one."""

    request_id: str


class ExtendDeadline(Message):
    """Give an open request more time; its deadline timer moves with it."""

    request_id: str
    deadline: AwareDatetime


class ReleaseQuotes(Message):
    quote_ids: list[str] | None = Field(
        default=None, description="None releases every quote not yet released"
    )


class AcceptQuote(Message):
    quote_id: str


class CancelTender(Message):
    reason: str | None = Field(default=None, max_length=2000)


class RequestOpened(BaseModel):
    """Signal: the insurer opened its access link."""

    request_id: str
    key: str


class TenderView(BaseModel):
    """Live state of a tender, as the query returns it."""

    tender_id: str
    organisation_id: str
    broker: Actor
    status: TenderStatus
    mode: ProcessingMode | None
    policy: PolicyDecision | None
    assignee: Actor | None
    submitted_at: AwareDatetime
    requests: list[InsurerRequest]
    quotes: list[Quote]
    accepted_quote_id: str | None = None
    cancel_reason: str | None = None
    messages_count: int = 0
    version: int
