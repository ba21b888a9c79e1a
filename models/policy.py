"""Who runs a tender: the administrator's policy and the resolved mode."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field


class ProcessingMode(StrEnum):
    SELF_SERVICE = "SELF_SERVICE"  # Eigenbearbeitung: the broker runs the tender
    BACKOFFICE = "BACKOFFICE"  # the backoffice runs it, the broker is passive


class PolicyValue(StrEnum):
    SELF_SERVICE = "SELF_SERVICE"
    BACKOFFICE = "BACKOFFICE"
    BROKER_CHOICE = "BROKER_CHOICE"

    def modes(self) -> list[ProcessingMode]:
        """The processing modes a broker may run a tender in under this policy."""
        if self is PolicyValue.BROKER_CHOICE:
            return [ProcessingMode.SELF_SERVICE, ProcessingMode.BACKOFFICE]
        return [ProcessingMode(self.value)]


BusinessDays = Annotated[int, Field(ge=1, le=120)]
Period = Annotated[timedelta, Field(gt=timedelta(0), le=timedelta(days=365))]


class TenderTimings(BaseModel):
    """Deadlines, reminders and escalations, configurable per organisation.

    Business days are German working days, public holidays of `holiday_state`
    excluded. Every period is bounded, so no setting can push a timer past
    what the calendar can count.
    """

    response_business_days: BusinessDays = 10
    reminder_after_business_days: list[BusinessDays] = Field(
        default_factory=lambda: [5], max_length=10
    )
    reminder_days_before_deadline: list[BusinessDays] = Field(
        default_factory=lambda: [2], max_length=10
    )
    pause_deadline_during_clarification: bool = True
    escalate_unclaimed_after_business_days: BusinessDays = 1
    broker_action_reminder_days: int = Field(default=7, ge=1, le=120)
    quote_validity_months: int = Field(default=2, ge=1, le=24)
    quote_expiry_warning_days: int = Field(default=14, ge=0, le=120)
    holiday_state: str = Field(default="BY", pattern=r"^[A-Z]{2}$")
    response_period: Period | None = Field(
        default=None,
        description="Exact response period instead of business days "
        "(special agreements, pilots, demonstrations)",
    )
    reminder_after: list[Period] | None = Field(
        default=None,
        max_length=10,
        description="Exact reminder offsets after sending, instead of business days",
    )


class PolicyDecision(BaseModel):
    """What the policy activity tells a starting tender."""

    policy: PolicyValue
    backoffice_email: str | None = None
    timings: TenderTimings = Field(default_factory=TenderTimings)
