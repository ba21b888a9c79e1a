"""What each accepted message does to the tender, once its checks passed.

Steps run synchronously (no await), so concurrent handlers never see half a step.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from temporalio import workflow

from workflows import checks, rules
from workflows.case import TenderCase

with workflow.unsafe.imports_passed_through():
    import workflows.calendar as calendar
    from models.actors import Actor, Role
    from models.insurer import InsurerRequest, Quote, RequestStatus
    from models.policy import PolicyDecision, PolicyValue, ProcessingMode
    from models.projection import NotificationKind as Kind
    from models.workflow_io import (
        AcceptQuote,
        AddInsurers,
        Assign,
        CancelTender,
        ChooseMode,
        Claim,
        DeclineRequest,
        ExtendDeadline,
        ReleaseQuotes,
        RequestResubmission,
        SubmitQuote,
    )

RESUBMISSION_NOTE = (
    "Ihr bisheriges Angebot ist abgelaufen. Bitte reichen Sie ein neues Angebot ein."
)
EXTENSION_NOTE = "Die Frist für Ihr Angebot wurde verlängert."


def begin(case: TenderCase, decision: PolicyDecision, now: datetime) -> None:
    """The submitted tender: fix the policy and, where it is clear, the mode."""
    case.state.policy = decision
    requested = case.start.requested_mode
    if decision.policy is not PolicyValue.BROKER_CHOICE:
        _fix_mode(case, ProcessingMode(decision.policy.value), now)
    elif requested is not None and requested in decision.policy.modes():
        _fix_mode(case, requested, now)
    case.audit(
        case.start.broker,
        "tender_submitted",
        policy=decision.policy.value,
        mode=case.state.mode.value if case.state.mode else "",
    )
    case.notify_broker(Kind.TENDER_CONFIRMATION)


def _fix_mode(case: TenderCase, mode: ProcessingMode, now: datetime) -> None:
    case.state.mode = mode
    if mode is ProcessingMode.BACKOFFICE:
        timings = rules.timings(case.state)
        case.state.escalate_at = calendar.business_days_later(
            now, timings.escalate_unclaimed_after_business_days, timings.holiday_state
        )


def choose_mode(case: TenderCase, msg: ChooseMode, now: datetime) -> None:
    _fix_mode(case, msg.mode, now)
    case.audit(msg.actor, "mode_chosen", mode=msg.mode.value)


def claim(case: TenderCase, msg: Claim, now: datetime) -> None:
    case.state.assignee = msg.actor
    case.audit(msg.actor, "tender_claimed")


def assign(case: TenderCase, msg: Assign, now: datetime) -> None:
    """Reassign, or unclaim: back in the queue, the escalation clock restarts."""
    case.state.assignee = msg.assignee
    if msg.assignee is None:
        timings = rules.timings(case.state)
        case.state.escalated = False
        case.state.escalate_at = calendar.business_days_later(
            now, timings.escalate_unclaimed_after_business_days, timings.holiday_state
        )
        case.audit(msg.actor, "tender_unclaimed")
    else:
        case.audit(msg.actor, "tender_reassigned", assignee_id=msg.assignee.user_id)


def add_insurers(case: TenderCase, msg: AddInsurers, now: datetime) -> None:
    base = case.start.portal_base_url.rstrip("/")
    for invite in msg.insurers:
        token = msg.access_tokens.get(invite.insurer_id) or _fresh_token()
        deadline = rules.response_deadline(now, case.state)
        request = InsurerRequest(
            request_id=str(workflow.uuid4()),
            insurer_id=invite.insurer_id,
            insurer_name=invite.insurer_name,
            contact_email=str(invite.contact_email),
            access_token_sha256=hashlib.sha256(token.encode()).hexdigest(),
            note=invite.note,
            sent_at=now,
            deadline=deadline,
            reminder_due=rules.reminder_times(now, deadline, case.state),
        )
        case.state.requests.append(request)
        case.state.access_links[request.request_id] = f"{base}/insurer/access/{token}"
        case.touch(request)
        case.audit(
            msg.actor,
            "insurer_invited",
            request_id=request.request_id,
            insurer_id=invite.insurer_id,
        )
        extra = {"note": invite.note} if invite.note else {}
        case.notify_insurer(
            Kind.INSURER_INVITATION, request, deadline=deadline.isoformat(), **extra
        )


def _fresh_token() -> str:
    return workflow.uuid4().hex + workflow.uuid4().hex


def submit_quote(case: TenderCase, msg: SubmitQuote, now: datetime) -> None:
    request = _request(case, msg.request_id)
    self_service = case.state.mode is ProcessingMode.SELF_SERVICE
    fields = msg.quote.model_dump(exclude={"valid_until"})
    quote = Quote(
        **fields,
        quote_id=str(workflow.uuid4()),
        request_id=request.request_id,
        insurer_id=request.insurer_id,
        insurer_name=request.insurer_name,
        valid_until=msg.quote.valid_until or rules.default_valid_until(now, case.state),
        received_at=now,
        uploaded_by=msg.actor,
        on_behalf_of_insurer=msg.actor.role is not Role.INSURER,
        released=self_service,
        released_at=now if self_service else None,
    )
    case.state.quotes.append(quote)
    _close_request(request, RequestStatus.QUOTED, now)
    request.quote_id = quote.quote_id
    case.touch(request)
    case.touch(quote)
    case.audit(
        msg.actor,
        "quote_submitted",
        request_id=request.request_id,
        quote_id=quote.quote_id,
        on_behalf_of_insurer=str(quote.on_behalf_of_insurer).lower(),
    )
    if msg.actor.role is Role.INSURER:
        case.notify_handler(Kind.QUOTE_RECEIVED, insurer_name=request.insurer_name)


def decline_request(case: TenderCase, msg: DeclineRequest, now: datetime) -> None:
    request = _request(case, msg.request_id)
    request.decline = msg.decline
    _close_request(request, RequestStatus.DECLINED, now)
    case.touch(request)
    reason = msg.decline.reason_code.value
    case.audit(
        msg.actor, "request_declined", request_id=request.request_id, reason=reason
    )
    if msg.actor.role is Role.INSURER:
        extra = {"reason_text": msg.decline.text} if msg.decline.text else {}
        case.notify_handler(
            Kind.REQUEST_DECLINED,
            insurer_name=request.insurer_name,
            reason=reason,
            **extra,
        )


def extend_deadline(case: TenderCase, msg: ExtendDeadline, now: datetime) -> None:
    request = _request(case, msg.request_id)
    deadline = msg.deadline.astimezone(UTC)
    if rules.deadline_paused(request, case.state) and request.clarification_since:
        # The pause is added when the question is answered; keep it out here.
        deadline -= now - request.clarification_since
    request.deadline = deadline
    request.reminder_due = [
        moment
        for moment in rules.reminder_times(request.sent_at, deadline, case.state)
        if moment > now
    ]
    case.touch(request)
    case.audit(
        msg.actor,
        "deadline_extended",
        request_id=request.request_id,
        deadline=deadline.isoformat(),
    )
    case.notify_insurer(
        Kind.INSURER_INVITATION,
        request,
        deadline=deadline.isoformat(),
        note=EXTENSION_NOTE,
    )


def request_resubmission(
    case: TenderCase, msg: RequestResubmission, now: datetime
) -> None:
    request = _request(case, msg.request_id)
    deadline = rules.response_deadline(now, case.state)
    request.status = RequestStatus.RESUBMISSION_REQUESTED
    request.deadline = deadline
    request.reminder_due = rules.reminder_times(now, deadline, case.state)
    request.closed_at = None
    case.touch(request)
    case.audit(msg.actor, "resubmission_requested", request_id=request.request_id)
    case.notify_insurer(
        Kind.INSURER_INVITATION,
        request,
        deadline=deadline.isoformat(),
        note=RESUBMISSION_NOTE,
    )


def release_quotes(case: TenderCase, msg: ReleaseQuotes, now: datetime) -> None:
    released = checks.releasable(case, msg)
    for quote in released:
        quote.released = True
        quote.released_at = now
        case.touch(quote)
        case.audit(msg.actor, "quote_released", quote_id=quote.quote_id)
    case.notify_broker(Kind.QUOTES_RELEASED, quotes_count=str(len(released)))


def accept_quote(case: TenderCase, msg: AcceptQuote, now: datetime) -> None:
    winner = case.state.quote(msg.quote_id)
    assert winner is not None
    case.state.accepted_quote_id = winner.quote_id
    case.state.closed_at = now
    for request in case.state.requests:
        if request.request_id == winner.request_id:
            _close_request(request, RequestStatus.ACCEPTED, now)
            case.notify_insurer(Kind.QUOTE_ACCEPTED, request)
        elif request.status is RequestStatus.QUOTED:
            _close_request(request, RequestStatus.NOT_SELECTED, now)
            case.notify_insurer(Kind.QUOTE_NOT_SELECTED, request)
        elif request.is_open:
            _close_request(request, RequestStatus.WITHDRAWN, now)
            case.notify_insurer(Kind.REQUEST_WITHDRAWN, request)
        else:
            continue
        case.touch(request)
    case.audit(
        msg.actor,
        "quote_accepted",
        request_id=winner.request_id,
        quote_id=winner.quote_id,
    )


def cancel(case: TenderCase, msg: CancelTender, now: datetime) -> None:
    case.state.cancelled = True
    case.state.cancel_reason = msg.reason
    case.state.closed_at = now
    reason = {"reason": msg.reason} if msg.reason else {}
    for request in case.state.requests:
        if request.is_open:
            _close_request(request, RequestStatus.WITHDRAWN, now)
            case.touch(request)
            case.notify_insurer(Kind.REQUEST_WITHDRAWN, request, **reason)
        elif request.status is RequestStatus.QUOTED:
            case.notify_insurer(Kind.TENDER_CANCELLED, request, **reason)
    case.audit(msg.actor, "tender_cancelled")
    case.notify_broker(Kind.TENDER_CANCELLED, **reason)
    if case.state.mode is ProcessingMode.BACKOFFICE:
        case.notify_backoffice(Kind.TENDER_CANCELLED, **reason)


def request_opened(case: TenderCase, request: InsurerRequest, now: datetime) -> None:
    request.status = RequestStatus.OPENED
    case.touch(request)
    case.audit(
        Actor(
            role=Role.INSURER, user_id=request.insurer_id, insurer_id=request.insurer_id
        ),
        "request_opened",
        request_id=request.request_id,
    )


def _request(case: TenderCase, request_id: str) -> InsurerRequest:
    request = case.state.request(request_id)
    assert request is not None
    return request


def _close_request(
    request: InsurerRequest, status: RequestStatus, now: datetime
) -> None:
    request.status = status
    request.closed_at = now
    request.reminder_due = []
    request.clarification_since = None
    request.status_before_clarification = None
