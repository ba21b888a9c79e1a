"""Unread messages per party: which party a caller reads for, and markers."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel
from sqlmodel import Session

from api.schemas import MessagePublic
from api.security import Principal
from models.actors import Role
from models.policy import ProcessingMode
from store import reads
from store.reads import Party

_PARTIES = {Role.BROKER: Party.BROKER, Role.BACKOFFICE: Party.BACKOFFICE}


class ReadMarker(BaseModel):
    """How far the caller's party has read; `unread` is what is left."""

    party: Party
    request_id: str | None = None
    last_read_at: AwareDatetime
    last_message_id: str | None = None
    unread: int


def party_of(principal: Principal) -> Party | None:
    if principal.role is Role.INSURER:
        return Party.INSURER
    return _PARTIES.get(principal.role)


def flag_unread(
    session: Session,
    principal: Principal,
    tender_id: str,
    mode: ProcessingMode | None,
    messages: list[MessagePublic],
    request_id: str | None = None,
) -> list[MessagePublic]:
    """Mark the messages the caller's party has not read yet."""
    party = party_of(principal)
    if party is None or (
        party is Party.BACKOFFICE and mode != ProcessingMode.BACKOFFICE
    ):
        return messages
    since: datetime = reads.unread_since(session, tender_id, party, request_id)
    for message in messages:
        message.unread = message.sent_at > since and message.author.role != party
    return messages


def unread_count(session: Session, principal: Principal, tender_id: str) -> int | None:
    party = party_of(principal)
    if party is None or party is Party.INSURER:
        return None
    return reads.count_unread(session, tender_id, party)


def mark_read(
    session: Session,
    principal: Principal,
    tender_id: str,
    request_id: str | None = None,
) -> ReadMarker:
    party = party_of(principal)
    assert party is not None, "only parties of a thread read it"
    row = reads.mark_read(session, tender_id, party, principal.subject, request_id)
    return ReadMarker(
        party=party,
        request_id=request_id,
        last_read_at=row.last_read_at,
        last_message_id=row.last_message_id,
        unread=reads.count_unread(session, tender_id, party, request_id),
    )
