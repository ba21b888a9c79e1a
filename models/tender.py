"""What a broker submits when starting a tender; frozen once submitted."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, EmailStr, Field, model_validator

from models.edge import EdgeBody
from models.policy import ProcessingMode

Money = Decimal


class LineOfBusiness(StrEnum):
    """Sparte: the commercial lines the platform tenders."""

    BUSINESS_LIABILITY = "business_liability"  # Betriebshaftpflicht
    CONTENTS = "contents"  # Inhaltsversicherung
    BUILDINGS = "buildings"  # Gebäudeversicherung
    BUSINESS_INTERRUPTION = "business_interruption"  # Betriebsunterbrechung
    MOTOR_FLEET = "motor_fleet"  # Kfz-Flotte
    ELECTRONICS = "electronics"  # Elektronikversicherung
    CYBER = "cyber"
    D_AND_O = "d_and_o"
    LEGAL_EXPENSES = "legal_expenses"  # Firmenrechtsschutz
    TRANSPORT = "transport"


class Address(BaseModel):
    street: str = Field(min_length=1, max_length=200)
    postal_code: str = Field(pattern=r"^\d{5}$")
    city: str = Field(min_length=1, max_length=100)
    country: str = Field(default="DE", pattern=r"^[A-Z]{2}$")


class Policyholder(BaseModel):
    """Versicherungsnehmer: the business whose risk is tendered."""

    name: str = Field(min_length=1, max_length=200)
    legal_form: str | None = Field(default=None, max_length=50)
    address: Address
    contact_name: str | None = Field(default=None, max_length=200)
    contact_email: EmailStr | None = None
    founded_year: int | None = Field(default=None, ge=1800, le=2100)
    employees: int | None = Field(default=None, ge=0, le=1_000_000)
    annual_revenue_eur: Money | None = Field(default=None, ge=0, max_digits=15)


class BrokerContact(BaseModel):
    """The broker (Vertriebspartner) as insurers see them."""

    name: str = Field(min_length=1, max_length=200)
    company: str = Field(min_length=1, max_length=200)
    email: EmailStr
    phone: str | None = Field(default=None, max_length=50)


class RiskAnswer(BaseModel):
    """One answer of the risk questionnaire, line-specific questions included."""

    question_id: str = Field(min_length=1, max_length=100)
    question: str = Field(min_length=1, max_length=500)
    answer: str = Field(max_length=2000)


class SumInsured(BaseModel):
    cover: str = Field(min_length=1, max_length=200)
    amount_eur: Money = Field(ge=0, max_digits=15)


class PriorClaim(BaseModel):
    year: int = Field(ge=1950, le=2100)
    description: str = Field(max_length=1000)
    amount_eur: Money = Field(ge=0, max_digits=15)


class DesiredCover(BaseModel):
    deductible_eur: Money = Field(default=Decimal(0), ge=0, max_digits=12)
    sums_insured: list[SumInsured] = Field(default_factory=list, max_length=50)
    prior_claims: list[PriorClaim] = Field(default_factory=list, max_length=100)
    modules: list[str] = Field(default_factory=list, max_length=50)
    desired_start: date | None = None


class DocumentRef(BaseModel):
    """A document the tender refers to; the bytes live in document storage."""

    document_id: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=255)
    content_type: str = Field(default="application/pdf", max_length=100)
    size_bytes: int | None = Field(default=None, ge=0)


class RoutingOutReason(BaseModel):
    """Aussteuerungsgrund: why one insurer's rating engine returned no offer."""

    insurer_id: str = Field(min_length=1, max_length=100)
    insurer_name: str = Field(min_length=1, max_length=200)
    code: str | None = Field(default=None, max_length=100)
    reason: str = Field(min_length=1, max_length=2000)


class TenderSubmission(BaseModel):
    """The tender form. Immutable once the tender is submitted."""

    model_config = ConfigDict(frozen=True)

    line_of_business: LineOfBusiness
    trade: str = Field(min_length=1, max_length=200, description="Betriebsart")
    policyholder: Policyholder
    broker: BrokerContact
    risk_answers: list[RiskAnswer] = Field(default_factory=list, max_length=500)
    desired_cover: DesiredCover = Field(default_factory=DesiredCover)
    free_text: str | None = Field(default=None, max_length=10_000)
    documents: list[DocumentRef] = Field(default_factory=list, max_length=100)
    routing_out_reasons: list[RoutingOutReason] = Field(
        default_factory=list, max_length=200
    )
    rating_offers_count: int = Field(default=0, ge=0, le=1000)
    reason_for_tendering: str | None = Field(
        default=None,
        max_length=2000,
        description="Required when the rating engines returned offers",
    )

    @model_validator(mode="after")
    def _reason_when_offers_exist(self) -> TenderSubmission:
        reason = (self.reason_for_tendering or "").strip()
        if self.rating_offers_count > 0 and not reason:
            raise ValueError(
                "reason_for_tendering is required when rating offers exist"
            )
        return self


class TenderCreate(EdgeBody, TenderSubmission):
    """Body of POST /tenders: the form plus the broker's mode choice, if any."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    processing_mode: ProcessingMode | None = Field(
        default=None,
        description="Only with a BROKER_CHOICE policy: SELF_SERVICE or BACKOFFICE",
    )
