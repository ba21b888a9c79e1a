"""What the outside sees of a tender: the read-model batch, the live view, and
the ops metadata (search attributes, current details) without personal data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from temporalio import workflow
from temporalio.common import SearchAttributeKey, SearchAttributeUpdate

from workflows import rules
from workflows.case import Pending, TenderCase

with workflow.unsafe.imports_passed_through():
    import workflows.calendar as calendar
    import workflows.search_attributes as search_attributes
    from models.projection import ProjectionBatch, TenderSnapshot
    from models.workflow_io import TenderView

MONTHS = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip


def snapshot(case: TenderCase, now: datetime) -> TenderSnapshot:
    state, start = case.state, case.start
    assignee = state.assignee
    return TenderSnapshot(
        tender_id=start.tender_id,
        organisation_id=start.organisation_id,
        broker_id=start.broker.user_id,
        broker_name=start.broker.display_name or start.submission.broker.name,
        line_of_business=start.submission.line_of_business.value,
        trade=start.submission.trade,
        status=state.status,
        mode=state.mode,
        assignee_id=assignee.user_id if assignee else None,
        assignee_name=assignee.display_name if assignee else None,
        submitted_at=state.submitted_at,
        updated_at=now,
        closed_at=state.closed_at,
        accepted_quote_id=state.accepted_quote_id,
        requests_total=len(state.requests),
        open_requests=len(state.open_requests()),
        quotes_total=len(state.quotes),
        next_deadline=rules.next_deadline(state),
        version=state.version,
    )


def batch(case: TenderCase, pending: Pending, now: datetime) -> ProjectionBatch:
    """A self-contained copy: later steps must not change a batch in flight."""
    state = case.state
    requests = [state.request(i) for i in pending.request_ids]
    quotes = [state.quote(i) for i in pending.quote_ids]
    return ProjectionBatch(
        tender=snapshot(case, now),
        submission=None if state.submission_projected else case.start.submission,
        requests=[r.model_copy(deep=True) for r in requests if r is not None],
        quotes=[q.model_copy(deep=True) for q in quotes if q is not None],
        messages=pending.messages,
        audit=pending.audit,
        notifications=pending.notifications,
    )


def view(case: TenderCase) -> TenderView:
    state, start = case.state, case.start
    return TenderView(
        tender_id=start.tender_id,
        organisation_id=start.organisation_id,
        broker=start.broker,
        status=state.status,
        mode=state.mode,
        policy=state.policy,
        assignee=state.assignee,
        submitted_at=state.submitted_at,
        requests=state.requests,
        quotes=state.quotes,
        accepted_quote_id=state.accepted_quote_id,
        cancel_reason=state.cancel_reason,
        messages_count=state.messages_count,
        version=state.version,
    )


def search_attribute_updates(
    case: TenderCase, current: Any
) -> list[SearchAttributeUpdate[Any]]:
    """Updates for the attributes whose value differs from `current`."""
    state = case.state
    wanted: list[tuple[SearchAttributeKey[Any], Any]] = [
        (search_attributes.TENDER_STATUS, state.status.value),
        (search_attributes.PROCESSING_MODE, state.mode.value if state.mode else None),
        (
            search_attributes.LINE_OF_BUSINESS,
            case.start.submission.line_of_business.value,
        ),
        (search_attributes.BROKER_ORGANISATION, case.start.organisation_id),
        (
            search_attributes.ASSIGNEE,
            state.assignee.user_id if state.assignee else None,
        ),
        (search_attributes.QUOTE_DEADLINE, rules.next_deadline(state)),
        (search_attributes.OPEN_REQUESTS, len(state.open_requests())),
    ]
    updates: list[SearchAttributeUpdate[Any]] = []
    for key, value in wanted:
        if current.get(key) == value:
            continue
        updates.append(key.value_unset() if value is None else key.value_set(value))
    return updates


def current_details(case: TenderCase) -> str:
    """One line for the Temporal UI: counts and dates, no names or e-mails."""
    state = case.state
    status = state.status.value.replace("_", " ").lower()
    if not state.requests:
        return f"{status}, no insurer asked yet"
    answered = len(state.requests) - len(state.open_requests())
    line = f"{status}: {answered} of {len(state.requests)} insurers answered"
    deadline = rules.next_deadline(state)
    if deadline is not None:
        day = calendar.local_date(deadline)
        line += f", next deadline {day.day} {MONTHS[day.month - 1]} {day.year}"
    return line
