"""The insurer side of a tender: requests, quotes, declines, messages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, EmailStr, Field, model_validator

from models.actors import Actor
from models.tender import DocumentRef, SumInsured


class RequestStatus(StrEnum):
    SENT = "SENT"
    OPENED = "OPENED"
    CLARIFICATION = "CLARIFICATION"
    QUOTED = "QUOTED"
    DECLINED = "DECLINED"
    LAPSED = "LAPSED"
    WITHDRAWN = "WITHDRAWN"
    ACCEPTED = "ACCEPTED"
    NOT_SELECTED = "NOT_SELECTED"
    EXPIRED = "EXPIRED"
    RESUBMISSION_REQUESTED = "RESUBMISSION_REQUESTED"


OPEN_REQUEST_STATUSES = frozenset(
    {
        RequestStatus.SENT,
        RequestStatus.OPENED,
        RequestStatus.CLARIFICATION,
        RequestStatus.RESUBMISSION_REQUESTED,
    }
)


class DeclineReason(StrEnum):
    OUTSIDE_GUIDELINES = "OUTSIDE_GUIDELINES"
    TRADE_NOT_WRITTEN = "TRADE_NOT_WRITTEN"
    PRIOR_CLAIMS = "PRIOR_CLAIMS"
    INSUFFICIENT_INFORMATION = "INSUFFICIENT_INFORMATION"
    NO_CAPACITY = "NO_CAPACITY"
    PREMIUM_NOT_VIABLE = "PREMIUM_NOT_VIABLE"
    OTHER = "OTHER"


class PaymentFrequency(StrEnum):
    ANNUAL = "ANNUAL"
    SEMI_ANNUAL = "SEMI_ANNUAL"
    QUARTERLY = "QUARTERLY"
    MONTHLY = "MONTHLY"


class InsurerInvite(BaseModel):
    """One insurer to ask for a quote ("+ Ausschreibung hinzufügen")."""

    insurer_id: str = Field(min_length=1, max_length=100, pattern=r"^[a-z0-9_-]+$")
    insurer_name: str = Field(min_length=1, max_length=200)
    contact_email: EmailStr
    note: str | None = Field(default=None, max_length=4000)


class QuoteInput(BaseModel):
    """An insurer's individual offer."""

    tariff: str = Field(min_length=1, max_length=200)
    net_annual_premium_eur: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    gross_annual_premium_eur: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    payment_frequency: PaymentFrequency = PaymentFrequency.ANNUAL
    deductible_eur: Decimal = Field(default=Decimal(0), ge=0, max_digits=12)
    sums_insured: list[SumInsured] = Field(default_factory=list, max_length=50)
    deviations: str | None = Field(
        default=None, max_length=4000, description="Deviations from the requested cover"
    )
    insurer_reference: str | None = Field(default=None, max_length=100)
    valid_until: date | None = Field(
        default=None,
        le=date(2099, 12, 31),
        description="Defaults to the tender's quote validity (2 months); "
        "at most 24 months ahead",
    )
    documents: list[DocumentRef] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _gross_covers_net(self) -> QuoteInput:
        if self.gross_annual_premium_eur < self.net_annual_premium_eur:
            raise ValueError("gross premium cannot be below the net premium")
        largest = max((s.amount_eur for s in self.sums_insured), default=None)
        if largest is not None and self.deductible_eur > largest:
            raise ValueError("deductible cannot exceed the largest sum insured")
        return self


class Quote(QuoteInput):
    quote_id: str
    request_id: str
    insurer_id: str
    insurer_name: str
    valid_until: date
    received_at: AwareDatetime
    uploaded_by: Actor
    on_behalf_of_insurer: bool = False
    released: bool = False
    released_at: AwareDatetime | None = None
    expired: bool = False
    expiry_warned: bool = False


class Decline(BaseModel):
    reason_code: DeclineReason
    text: str | None = Field(default=None, max_length=4000)

    @model_validator(mode="after")
    def _text_for_other(self) -> Decline:
        if self.reason_code is DeclineReason.OTHER and not (self.text or "").strip():
            raise ValueError("text is required when the reason code is OTHER")
        return self


class Attachment(BaseModel):
    document_id: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=255)
    content_type: str = Field(max_length=100)
    size_bytes: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class ThreadMessage(BaseModel):
    """One message in a request's thread (Rückfrage, answer or note)."""

    message_id: str
    request_id: str | None = Field(
        default=None, description="None for broker and backoffice talk on the tender"
    )
    author: Actor
    text: str = Field(max_length=10_000)
    attachments: list[Attachment] = Field(default_factory=list)
    is_question: bool = False
    sent_at: AwareDatetime


class InsurerRequest(BaseModel):
    """One insurer asked for a quote, with its own deadline and thread."""

    request_id: str
    insurer_id: str
    insurer_name: str
    contact_email: str
    access_token_sha256: str
    note: str | None = None
    status: RequestStatus = RequestStatus.SENT
    sent_at: AwareDatetime
    deadline: AwareDatetime
    reminders_sent: int = 0
    reminder_due: list[AwareDatetime] = Field(default_factory=list)
    clarification_since: AwareDatetime | None = None
    status_before_clarification: RequestStatus | None = None
    decline: Decline | None = None
    quote_id: str | None = None
    closed_at: AwareDatetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REQUEST_STATUSES
