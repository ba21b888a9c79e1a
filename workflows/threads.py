"""Threads: questions (Rückfragen), answers and notes, and whom they reach.

An insurer's message on an open request is a question and puts the request in
clarification; the handler's next message there answers it. Texts go to the
read model only; the state keeps counters.
"""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

from workflows import rules
from workflows.case import TenderCase

with workflow.unsafe.imports_passed_through():
    from models.actors import Actor, Role
    from models.insurer import InsurerRequest, RequestStatus, ThreadMessage
    from models.projection import NotificationKind as Kind
    from models.workflow_io import PostMessage


def post_message(case: TenderCase, msg: PostMessage, now: datetime) -> None:
    request = case.state.request(msg.request_id)
    from_insurer = msg.actor.role is Role.INSURER
    question = bool(from_insurer and request is not None and request.is_open)
    message = ThreadMessage(
        message_id=str(workflow.uuid4()),
        request_id=msg.request_id,
        author=msg.actor,
        text=msg.text,
        attachments=msg.attachments,
        is_question=question,
        sent_at=now,
    )
    case.add_message(message)
    action = "question_asked" if question else "message_posted"
    if request is not None and question:
        _ask(request, now)
        case.touch(request)
    elif request is not None and request.status is RequestStatus.CLARIFICATION:
        _answer(case, request, now)
        case.touch(request)
        action = "question_answered"
    case.audit(
        msg.actor, action, request_id=msg.request_id, message_id=message.message_id
    )
    _notify_counterpart(case, msg.actor, request)


def _ask(request: InsurerRequest, now: datetime) -> None:
    if request.status is RequestStatus.CLARIFICATION:
        return
    request.status_before_clarification = request.status
    request.status = RequestStatus.CLARIFICATION
    request.clarification_since = now


def _answer(case: TenderCase, request: InsurerRequest, now: datetime) -> None:
    if rules.deadline_paused(request, case.state) and request.clarification_since:
        waited = now - request.clarification_since
        request.deadline += waited
        request.reminder_due = [moment + waited for moment in request.reminder_due]
    request.status = request.status_before_clarification or RequestStatus.OPENED
    request.status_before_clarification = None
    request.clarification_since = None


def _notify_counterpart(
    case: TenderCase, author: Actor, request: InsurerRequest | None
) -> None:
    if request is None:
        if author.role is Role.BROKER:
            case.notify_backoffice(Kind.NEW_MESSAGE)
        else:
            case.notify_broker(Kind.NEW_MESSAGE)
    elif author.role is Role.INSURER:
        case.notify_handler(Kind.NEW_MESSAGE)
    else:
        case.notify_insurer(Kind.NEW_MESSAGE, request)
