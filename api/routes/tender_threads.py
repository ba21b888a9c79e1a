"""A tender's messages, audit trail and system e-mails."""

from __future__ import annotations

import re
import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from sqlmodel import Session

from api.access import TenderId, db, ensure_open, find_visible_tender
from api.deps import HandlerDep, IdempotencyKey, ReaderDep, SessionDep, TemporalDep
from api.problems import problem_responses
from api.schemas import EmailPublic, MessagePublic, TenderMessageBody
from api.security import Principal
from api.tender_client import update_id
from api.unread import ReadMarker, flag_unread, mark_read
from models.actors import Role
from models.policy import ProcessingMode
from models.projection import AuditEntry
from models.workflow_io import PostMessage
from store import queries

router = APIRouter(prefix="/tenders/{tender_id}", tags=["threads"])

_ACCESS_LINK = re.compile(r"(/insurer/access/)[A-Za-z0-9_-]+")


def _broker_sees_insurer_threads(principal: Principal, detail) -> bool:
    """In backoffice mode the backoffice talks to insurers, not the broker."""
    return not (
        principal.role is Role.BROKER
        and detail.tender.mode == ProcessingMode.BACKOFFICE
    )


def read_messages(
    session: Session, principal: Principal, tender_id: str, request_id: str | None
) -> list[MessagePublic]:
    detail = find_visible_tender(session, principal, tender_id)
    messages = queries.list_messages(session, tender_id, request_id)
    if not _broker_sees_insurer_threads(principal, detail):
        messages = [m for m in messages if m.request_id is None]
    public = [MessagePublic.of(m) for m in messages]
    return flag_unread(session, principal, tender_id, detail.tender.mode, public)


@router.get(
    "/messages",
    response_model=list[MessagePublic],
    responses=problem_responses(401, 403, 404),
)
def list_messages(
    tender_id: TenderId,
    principal: ReaderDep,
    session: SessionDep,
    request_id: Annotated[str | None, Query(max_length=100)] = None,
) -> list[MessagePublic]:
    """Messages of the tender, oldest first; `request_id` selects one thread."""
    return read_messages(session, principal, tender_id, request_id)


@router.post(
    "/messages",
    status_code=201,
    response_model=list[MessagePublic],
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
async def post_message(
    tender_id: TenderId,
    body: TenderMessageBody,
    principal: HandlerDep,
    session: SessionDep,
    temporal: TemporalDep,
    idempotency_key: IdempotencyKey = None,
) -> list[MessagePublic]:
    """Write to the tender's thread or to one insurer's; answers with that thread."""
    detail = await db(session, lambda s: find_visible_tender(s, principal, tender_id))
    ensure_open(detail)
    message = PostMessage(
        actor=principal.actor,
        request_id=body.request_id,
        text=body.text,
        attachments=body.attachments,
    )
    key = idempotency_key or uuid.uuid4().hex
    await temporal.update(
        tender_id,
        "post_message",
        message,
        update_id=update_id("post_message", principal.subject, key),
    )
    return await db(
        session, lambda s: read_messages(s, principal, tender_id, body.request_id)
    )


@router.post(
    "/messages/read",
    response_model=ReadMarker,
    responses=problem_responses(401, 403, 404),
)
async def mark_messages_read(
    tender_id: TenderId, principal: HandlerDep, session: SessionDep
) -> ReadMarker:
    """Mark every message your party can see so far as read."""
    await db(session, lambda s: find_visible_tender(s, principal, tender_id))
    return await db(session, lambda s: mark_read(s, principal, tender_id))


@router.get(
    "/audit",
    response_model=list[AuditEntry],
    responses=problem_responses(401, 403, 404),
)
def list_audit(
    tender_id: TenderId, principal: ReaderDep, session: SessionDep
) -> list[AuditEntry]:
    """Who did what to the tender, and when, oldest first."""
    detail = find_visible_tender(session, principal, tender_id)
    entries = queries.list_audit(session, tender_id)
    if principal.role is Role.BROKER:
        hidden = {q.quote_id for q in detail.quotes if not q.released}
        entries = [e for e in entries if e.quote_id not in hidden]
    return entries


@router.get(
    "/emails",
    response_model=list[EmailPublic],
    responses=problem_responses(401, 403, 404),
)
def list_emails(
    tender_id: TenderId, principal: ReaderDep, session: SessionDep
) -> list[EmailPublic]:
    """The system e-mails of the tender (insurers' access links masked)."""
    find_visible_tender(session, principal, tender_id)
    emails = [
        EmailPublic.model_validate(row, from_attributes=True)
        for row in queries.list_outbox(session, tender_id)
    ]
    if principal.role is Role.BROKER:
        emails = [e for e in emails if e.recipient_role != Role.BACKOFFICE.value]
    for email in emails:
        email.body = _ACCESS_LINK.sub(r"\1…", email.body)
        email.subject = _ACCESS_LINK.sub(r"\1…", email.subject)
    return emails
