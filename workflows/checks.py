"""What each message needs from the tender; a misfit raises a Refusal.

Validators and handlers call the same check, so a refused message leaves no
trace and a message that raced another is refused before it changes anything.
The API checks roles too; these checks are the last line.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NoReturn

from temporalio import workflow
from temporalio.exceptions import ApplicationError

from workflows import rules
from workflows.case import TenderCase

with workflow.unsafe.imports_passed_through():
    import workflows.calendar as calendar
    from models.actors import Actor, Role
    from models.insurer import OPEN_REQUEST_STATUSES, InsurerRequest, RequestStatus
    from models.policy import PolicyValue, ProcessingMode
    from models.refusals import Refusal
    from models.workflow_io import (
        AcceptQuote,
        AddInsurers,
        Assign,
        CancelTender,
        ChooseMode,
        Claim,
        DeclineRequest,
        ExtendDeadline,
        PostMessage,
        ReleaseQuotes,
        RequestResubmission,
        SubmitQuote,
    )

MAX_REQUESTS = 100
INVITED_STATUSES = OPEN_REQUEST_STATUSES | {RequestStatus.QUOTED}


MAX_QUOTE_VALIDITY_MONTHS = 24
MAX_DEADLINE_AHEAD = timedelta(days=365)


def refuse(code: Refusal, message: str) -> NoReturn:
    raise ApplicationError(message, type=code.value, non_retryable=True)


def tender_open(case: TenderCase) -> None:
    if case.state.closed:
        refuse(Refusal.TENDER_CLOSED, "the tender is closed")


def owner_broker(case: TenderCase, actor: Actor) -> None:
    if not case.is_owner(actor):
        refuse(Refusal.ROLE_NOT_ALLOWED, "only the tender's broker may do this")


def handler(case: TenderCase, actor: Actor) -> None:
    """The broker in self-service, the claiming agent in backoffice mode."""
    mode = case.state.mode
    if mode is None:
        refuse(Refusal.MODE_NOT_CHOSEN, "the processing mode is not chosen yet")
    if actor.role is Role.BROKER:
        owner_broker(case, actor)
        if mode is ProcessingMode.BACKOFFICE:
            refuse(Refusal.WRONG_PROCESSING_MODE, "the backoffice runs this tender")
        return
    if actor.role is Role.BACKOFFICE:
        if mode is ProcessingMode.SELF_SERVICE:
            refuse(Refusal.WRONG_PROCESSING_MODE, "the broker runs this tender")
        assignee = case.state.assignee
        if assignee is None:
            refuse(Refusal.TENDER_NOT_CLAIMED, "claim the tender first")
        if assignee.user_id != actor.user_id:
            refuse(Refusal.NOT_ASSIGNEE, "another agent works this tender")
        return
    refuse(Refusal.ROLE_NOT_ALLOWED, "only the tender's handler may do this")


def visible_request(case: TenderCase, actor: Actor, request_id: str) -> InsurerRequest:
    """The request; an insurer sees only its own, others do not exist for it."""
    request = case.state.request(request_id)
    foreign = actor.role is Role.INSURER and (
        request is None or request.insurer_id != actor.insurer_id
    )
    if request is None or foreign:
        refuse(Refusal.REQUEST_NOT_FOUND, "no such request in this tender")
    return request


def answerer(case: TenderCase, actor: Actor) -> None:
    """The insurer itself, or the assignee on its behalf."""
    if actor.role is Role.INSURER:
        return
    if actor.role is Role.BACKOFFICE:
        handler(case, actor)
        return
    refuse(Refusal.ROLE_NOT_ALLOWED, "only the insurer or the backoffice may answer")


def request_answerable(
    case: TenderCase, request: InsurerRequest, now: datetime
) -> None:
    if rules.deadline_passed(request, case.state, now):
        refuse(Refusal.QUOTE_DEADLINE_PASSED, "the request's deadline has passed")
    if not request.is_open:
        refuse(Refusal.REQUEST_NOT_OPEN, "the request is answered or closed")


def choose_mode(case: TenderCase, msg: ChooseMode, now: datetime) -> None:
    tender_open(case)
    owner_broker(case, msg.actor)
    policy = case.state.policy
    if case.state.mode is not None or policy is None:
        refuse(Refusal.MODE_ALREADY_FIXED, "the processing mode is fixed")
    if policy.policy is not PolicyValue.BROKER_CHOICE:
        refuse(Refusal.MODE_ALREADY_FIXED, "the policy fixes the processing mode")
    if msg.mode not in policy.policy.modes():
        refuse(Refusal.MODE_NOT_ALLOWED, "the policy does not allow this mode")


def add_insurers(case: TenderCase, msg: AddInsurers, now: datetime) -> None:
    tender_open(case)
    handler(case, msg.actor)
    wanted = [i.insurer_id for i in msg.insurers]
    invited = {
        r.insurer_id for r in case.state.requests if r.status in INVITED_STATUSES
    }
    if len(set(wanted)) < len(wanted) or invited.intersection(wanted):
        refuse(Refusal.INSURER_ALREADY_INVITED, "an insurer is already asked")
    if len(case.state.requests) + len(wanted) > MAX_REQUESTS:
        refuse(Refusal.TOO_MANY_INSURERS, f"at most {MAX_REQUESTS} requests per tender")


def claim(case: TenderCase, msg: Claim, now: datetime) -> None:
    tender_open(case)
    if msg.actor.role is not Role.BACKOFFICE:
        refuse(Refusal.ROLE_NOT_ALLOWED, "only the backoffice claims tenders")
    if case.state.mode is None:
        refuse(Refusal.MODE_NOT_CHOSEN, "the processing mode is not chosen yet")
    if case.state.mode is ProcessingMode.SELF_SERVICE:
        refuse(Refusal.WRONG_PROCESSING_MODE, "the broker runs this tender")
    if case.state.assignee is not None:
        refuse(Refusal.TENDER_ALREADY_CLAIMED, "the tender has an assignee")


def assign(case: TenderCase, msg: Assign, now: datetime) -> None:
    tender_open(case)
    if msg.actor.role is not Role.BACKOFFICE:
        refuse(Refusal.ROLE_NOT_ALLOWED, "only the backoffice assigns tenders")
    if case.state.mode is not ProcessingMode.BACKOFFICE:
        refuse(Refusal.WRONG_PROCESSING_MODE, "only backoffice tenders have agents")
    if case.state.assignee is None:
        refuse(Refusal.TENDER_NOT_CLAIMED, "claim the tender first")
    if msg.assignee is not None and msg.assignee.role is not Role.BACKOFFICE:
        refuse(Refusal.ROLE_NOT_ALLOWED, "only a backoffice agent can be assigned")


def submit_quote(case: TenderCase, msg: SubmitQuote, now: datetime) -> None:
    tender_open(case)
    request = visible_request(case, msg.actor, msg.request_id)
    answerer(case, msg.actor)
    request_answerable(case, request, now)
    valid_until = msg.quote.valid_until
    today = calendar.local_date(now)
    if valid_until is not None and valid_until < today:
        refuse(Refusal.QUOTE_EXPIRED, "the quote's validity has already ended")
    if valid_until is not None and valid_until > calendar.add_months(
        today, MAX_QUOTE_VALIDITY_MONTHS
    ):
        refuse(
            Refusal.QUOTE_VALIDITY_TOO_LONG,
            f"a quote is valid for at most {MAX_QUOTE_VALIDITY_MONTHS} months",
        )


def decline_request(case: TenderCase, msg: DeclineRequest, now: datetime) -> None:
    tender_open(case)
    request = visible_request(case, msg.actor, msg.request_id)
    answerer(case, msg.actor)
    request_answerable(case, request, now)


def post_message(case: TenderCase, msg: PostMessage, now: datetime) -> None:
    tender_open(case)
    if msg.request_id is not None:
        visible_request(case, msg.actor, msg.request_id)
        if msg.actor.role is not Role.INSURER:
            handler(case, msg.actor)
        return
    if msg.actor.role is Role.INSURER:
        refuse(Refusal.ROLE_NOT_ALLOWED, "insurers write in their request's thread")
    if case.state.mode is None:
        refuse(Refusal.MODE_NOT_CHOSEN, "the processing mode is not chosen yet")
    if case.state.mode is not ProcessingMode.BACKOFFICE:
        refuse(Refusal.WRONG_PROCESSING_MODE, "the backoffice is not part of it")
    if msg.actor.role is Role.BROKER:
        owner_broker(case, msg.actor)
    else:
        handler(case, msg.actor)


def request_resubmission(
    case: TenderCase, msg: RequestResubmission, now: datetime
) -> None:
    tender_open(case)
    request = visible_request(case, msg.actor, msg.request_id)
    handler(case, msg.actor)
    if request.status is not RequestStatus.EXPIRED:
        refuse(Refusal.NOTHING_TO_RESUBMIT, "the request has no expired quote")


def extend_deadline(case: TenderCase, msg: ExtendDeadline, now: datetime) -> None:
    tender_open(case)
    request = visible_request(case, msg.actor, msg.request_id)
    handler(case, msg.actor)
    request_answerable(case, request, now)
    if msg.deadline <= rules.effective_deadline(request, case.state, now):
        refuse(Refusal.DEADLINE_NOT_LATER, "an extension must move the deadline later")
    if msg.deadline > now + MAX_DEADLINE_AHEAD:
        refuse(Refusal.DEADLINE_TOO_FAR, "a deadline can be at most a year ahead")


def release_quotes(case: TenderCase, msg: ReleaseQuotes, now: datetime) -> None:
    tender_open(case)
    if case.state.mode is ProcessingMode.SELF_SERVICE:
        refuse(Refusal.WRONG_PROCESSING_MODE, "self-service quotes need no release")
    handler(case, msg.actor)
    if msg.quote_ids is not None:
        for quote_id in msg.quote_ids:
            if case.state.quote(quote_id) is None:
                refuse(Refusal.QUOTE_NOT_FOUND, "no such quote in this tender")
    if not releasable(case, msg):
        refuse(Refusal.NOTHING_TO_RELEASE, "every named quote is released or expired")


def releasable(case: TenderCase, msg: ReleaseQuotes):
    chosen = None if msg.quote_ids is None else set(msg.quote_ids)
    return [
        q
        for q in case.state.quotes
        if not q.released and not q.expired and (chosen is None or q.quote_id in chosen)
    ]


def accept_quote(case: TenderCase, msg: AcceptQuote, now: datetime) -> None:
    tender_open(case)
    owner_broker(case, msg.actor)
    quote = case.state.quote(msg.quote_id)
    if quote is None:
        refuse(Refusal.QUOTE_NOT_FOUND, "no such quote in this tender")
    if not quote.released:
        refuse(Refusal.QUOTE_NOT_RELEASED, "the quote is not released yet")
    if quote.expired or now >= rules.quote_expires_at(quote):
        refuse(Refusal.QUOTE_EXPIRED, "the quote's validity has ended")


def cancel(case: TenderCase, msg: CancelTender, now: datetime) -> None:
    tender_open(case)
    if not case.is_owner(msg.actor):
        handler(case, msg.actor)
