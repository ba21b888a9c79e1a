"""Everything a tender waits for in time, and what happens when it is due.

One durable timer waits for the earliest due moment; `apply_due` then runs every
item that is due. Each item, once run, is no longer due, so the agenda always
moves forward.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from temporalio import workflow

from workflows import rules
from workflows.case import TenderCase

with workflow.unsafe.imports_passed_through():
    from models.actors import SYSTEM
    from models.insurer import InsurerRequest, Quote, RequestStatus
    from models.policy import ProcessingMode
    from models.projection import NotificationKind as Kind
    from models.workflow_io import TenderStatus


@dataclass(frozen=True)
class Due:
    at: datetime
    label: str
    run: Callable[[TenderCase, datetime], None]


def next_due(case: TenderCase) -> Due | None:
    return min(_items(case), key=lambda item: item.at, default=None)


def apply_due(case: TenderCase, now: datetime) -> int:
    """Run every item due by `now`, earliest first; returns how many ran."""
    ran = 0
    while (item := next_due(case)) is not None and item.at <= now:
        item.run(case, now)
        ran += 1
    return ran


def _items(case: TenderCase) -> Iterator[Due]:
    state = case.state
    if state.closed:
        return
    for request in state.open_requests():
        if rules.deadline_paused(request, state):
            continue
        for moment in request.reminder_due[:1]:
            yield Due(moment, "insurer reminder", _reminder(request, moment))
        yield Due(request.deadline, "request deadline", _lapse(request))
    if (
        state.mode is ProcessingMode.BACKOFFICE
        and state.assignee is None
        and not state.escalated
        and state.escalate_at is not None
    ):
        yield Due(state.escalate_at, "unclaimed escalation", _escalate)
    if (
        state.status is TenderStatus.BROKER_ACTION_REQUIRED
        and state.broker_action_since is not None
        and not state.broker_action_reminded
    ):
        days = rules.timings(state).broker_action_reminder_days
        at = state.broker_action_since + timedelta(days=days)
        yield Due(at, "broker reminder", _remind_broker)
    for quote in state.quotes:
        if quote.expired:
            continue
        warning = rules.quote_warning_at(quote, state)
        if warning is not None and not quote.expiry_warned:
            yield Due(warning, "quote expiry warning", _warn_expiry(quote))
        yield Due(rules.quote_expires_at(quote), "quote expiry", _expire(quote))


def _reminder(request: InsurerRequest, moment: datetime):
    def run(case: TenderCase, now: datetime) -> None:
        request.reminder_due.remove(moment)
        request.reminders_sent += 1
        case.touch(request)
        case.audit(SYSTEM, "insurer_reminded", request_id=request.request_id)
        case.notify_insurer(
            Kind.INSURER_REMINDER, request, deadline=request.deadline.isoformat()
        )

    return run


def _lapse(request: InsurerRequest):
    def run(case: TenderCase, now: datetime) -> None:
        request.status = RequestStatus.LAPSED
        request.closed_at = now
        request.reminder_due = []
        case.touch(request)
        case.audit(SYSTEM, "request_lapsed", request_id=request.request_id)
        case.notify_handler(Kind.REQUEST_LAPSED, insurer_name=request.insurer_name)

    return run


def _escalate(case: TenderCase, now: datetime) -> None:
    case.state.escalated = True
    case.audit(SYSTEM, "unclaimed_escalated")
    case.notify_backoffice(Kind.TENDER_UNCLAIMED)


def _remind_broker(case: TenderCase, now: datetime) -> None:
    case.state.broker_action_reminded = True
    case.audit(SYSTEM, "broker_reminded")
    case.notify_broker(Kind.BROKER_ACTION_REMINDER)


def _warn_expiry(quote: Quote):
    def run(case: TenderCase, now: datetime) -> None:
        quote.expiry_warned = True
        case.touch(quote)
        case.audit(SYSTEM, "quote_expiry_warned", quote_id=quote.quote_id)
        _tell_about_quote(case, quote, Kind.QUOTE_EXPIRY_WARNING)

    return run


def _expire(quote: Quote):
    def run(case: TenderCase, now: datetime) -> None:
        quote.expired = True
        quote.expiry_warned = True
        case.touch(quote)
        request = case.state.request(quote.request_id)
        if (
            request is not None
            and request.quote_id == quote.quote_id
            and request.status is RequestStatus.QUOTED
        ):
            request.status = RequestStatus.EXPIRED
            case.touch(request)
        case.audit(
            SYSTEM,
            "quote_expired",
            request_id=quote.request_id,
            quote_id=quote.quote_id,
        )
        _tell_about_quote(case, quote, Kind.QUOTE_EXPIRED)

    return run


def _tell_about_quote(case: TenderCase, quote: Quote, kind: Kind) -> None:
    context = {
        "insurer_name": quote.insurer_name,
        "valid_until": quote.valid_until.isoformat(),
    }
    if quote.released:
        case.notify_broker(kind, **context)
    else:
        case.notify_handler(kind, **context)
