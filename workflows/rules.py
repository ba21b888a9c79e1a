"""Facts derived from the tender state: status, deadlines, quotes on offer."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from temporalio import workflow

from workflows.state import TenderState

with workflow.unsafe.imports_passed_through():
    import workflows.calendar as calendar
    from models.insurer import InsurerRequest, Quote, RequestStatus
    from models.policy import ProcessingMode, TenderTimings
    from models.workflow_io import TenderStatus


def derive_status(state: TenderState) -> TenderStatus:
    """The tender status, in the order architecture.md lists the rules."""
    if state.cancelled:
        return TenderStatus.CANCELLED
    if state.accepted_quote_id is not None:
        return TenderStatus.CONCLUDED
    if state.mode is None:
        return TenderStatus.AWAITING_MODE_CHOICE
    if state.mode is ProcessingMode.BACKOFFICE and state.assignee is None:
        return TenderStatus.AWAITING_ASSIGNMENT
    if state.open_requests():
        return TenderStatus.TENDERING
    if acceptable_quotes(state):
        return TenderStatus.BROKER_ACTION_REQUIRED
    if state.mode is ProcessingMode.BACKOFFICE and live_quotes(state):
        return TenderStatus.IN_REVIEW  # quotes wait for the backoffice's release
    if state.requests:
        return TenderStatus.NO_OFFER
    if state.mode is ProcessingMode.BACKOFFICE:
        return TenderStatus.IN_REVIEW
    return TenderStatus.SUBMITTED


def acceptable_quotes(state: TenderState) -> list[Quote]:
    return [q for q in state.quotes if q.released and not q.expired]


def live_quotes(state: TenderState) -> list[Quote]:
    """Quotes not expired, released or not."""
    return [q for q in state.quotes if not q.expired]


def timings(state: TenderState) -> TenderTimings:
    return state.policy.timings if state.policy else TenderTimings()


def deadline_paused(request: InsurerRequest, state: TenderState) -> bool:
    return (
        request.status is RequestStatus.CLARIFICATION
        and request.clarification_since is not None
        and timings(state).pause_deadline_during_clarification
    )


def effective_deadline(
    request: InsurerRequest, state: TenderState, now: datetime
) -> datetime:
    """The deadline, moved by the time an open question has waited so far."""
    if deadline_paused(request, state) and request.clarification_since:
        return request.deadline + (now - request.clarification_since)
    return request.deadline


def deadline_passed(request: InsurerRequest, state: TenderState, now: datetime) -> bool:
    if request.status is RequestStatus.LAPSED:
        return True
    return request.is_open and now >= effective_deadline(request, state, now)


def next_deadline(state: TenderState) -> datetime | None:
    return min((r.deadline for r in state.open_requests()), default=None)


def reminder_times(
    sent: datetime, deadline: datetime, state: TenderState
) -> list[datetime]:
    """Reminders after sending and before the deadline, in German business days."""
    rules = timings(state)
    holiday_state = rules.holiday_state
    deadline_day = calendar.local_date(deadline)
    days = {
        calendar.add_business_days(deadline_day, -n, holiday_state)
        for n in rules.reminder_days_before_deadline
    }
    if rules.reminder_after is None:
        sent_day = calendar.local_date(sent)
        days |= {
            calendar.add_business_days(sent_day, n, holiday_state)
            for n in rules.reminder_after_business_days
        }
    moments = {calendar.morning_of(day) for day in days}
    moments |= {sent + offset for offset in rules.reminder_after or []}
    return sorted(m for m in moments if sent < m < deadline)


def response_deadline(now: datetime, state: TenderState) -> datetime:
    rules = timings(state)
    if rules.response_period is not None:
        return now + rules.response_period
    return calendar.deadline_after(
        now, rules.response_business_days, rules.holiday_state
    )


def default_valid_until(now: datetime, state: TenderState) -> date:
    return calendar.add_months(
        calendar.local_date(now), timings(state).quote_validity_months
    )


def quote_expires_at(quote: Quote) -> datetime:
    """A quote is valid through its valid_until day, German time."""
    return calendar.start_of(quote.valid_until + timedelta(days=1))


def quote_warning_at(quote: Quote, state: TenderState) -> datetime | None:
    days = timings(state).quote_expiry_warning_days
    if days <= 0:
        return None
    return calendar.morning_of(quote.valid_until - timedelta(days=days))
