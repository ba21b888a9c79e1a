"""Request bodies and responses at the API edge.

Bodies derive from `EdgeBody`: unknown fields at any depth and control
characters in any string are a 422, not a silently ignored or unstorable value.
Responses never carry access-token hashes, and brokers see released quotes only.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, EmailStr, Field

from models.actors import Actor
from models.edge import EdgeBody
from models.insurer import (
    Attachment,
    Decline,
    InsurerInvite,
    InsurerRequest,
    Quote,
    QuoteInput,
    RequestStatus,
    ThreadMessage,
)
from models.policy import PolicyDecision, PolicyValue, ProcessingMode, TenderTimings
from models.projection import TenderSnapshot
from models.tender import (
    BrokerContact,
    DesiredCover,
    DocumentRef,
    LineOfBusiness,
    Policyholder,
    RiskAnswer,
    RoutingOutReason,
    TenderSubmission,
)
from models.workflow_io import TenderStatus, TenderView


class ChooseModeBody(EdgeBody):
    mode: ProcessingMode


class InsurerInviteBody(EdgeBody, InsurerInvite):
    pass


class AddInsurersBody(EdgeBody):
    insurers: list[InsurerInviteBody] = Field(min_length=1, max_length=100)


class QuoteBody(EdgeBody, QuoteInput):
    pass


class DeclineBody(EdgeBody, Decline):
    pass


class ReleaseBody(EdgeBody):
    quote_ids: list[str] | None = Field(
        default=None, description="Omit to release every quote not yet released"
    )


class DeadlineBody(EdgeBody):
    deadline: AwareDatetime = Field(
        description="The request's new deadline; later than the current one, "
        "at most a year ahead"
    )


class AssigneeBody(EdgeBody):
    user_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="The agent to hand the tender to; null puts it back in the queue",
    )
    name: str | None = Field(default=None, max_length=200)


class CancelBody(EdgeBody):
    reason: str | None = Field(default=None, max_length=2000)


class MessageBody(EdgeBody):
    text: str = Field(min_length=1, max_length=10_000)
    attachments: list[Attachment] = Field(default_factory=list, max_length=20)


class TenderMessageBody(MessageBody):
    request_id: str | None = Field(
        default=None, description="The insurer's thread; omit for the tender's thread"
    )


class PolicyBody(EdgeBody):
    line_of_business: LineOfBusiness | None = Field(
        default=None, description="Omit to set the organisation's default"
    )
    value: PolicyValue
    backoffice_email: EmailStr | None = None
    timings: TenderTimings = Field(default_factory=TenderTimings)


class PolicyOptions(BaseModel):
    """What a broker may choose when starting a tender in a line."""

    organisation_id: str = Field(examples=["acme-makler"])
    line_of_business: LineOfBusiness
    policy: PolicyValue = Field(examples=["BROKER_CHOICE"])
    modes: list[ProcessingMode] = Field(examples=[["SELF_SERVICE", "BACKOFFICE"]])
    timings: TenderTimings


class PolicyPublic(BaseModel):
    organisation_id: str = Field(examples=["acme-makler"])
    line_of_business: LineOfBusiness | None = None
    value: PolicyValue
    backoffice_email: str | None = None
    timings: TenderTimings
    updated_at: AwareDatetime
    updated_by: str


class TenderStarted(BaseModel):
    tender_id: str = Field(examples=["3f0b6c2e-6a8e-4e55-9a57-0d1b4bb0c3a1"])
    status: TenderStatus = Field(examples=["AWAITING_ASSIGNMENT"])
    mode: ProcessingMode | None = Field(examples=["BACKOFFICE"])
    policy: PolicyValue = Field(examples=["BACKOFFICE"])


class RequestPublic(BaseModel):
    """An insurer request as brokers and the backoffice see it."""

    request_id: str
    insurer_id: str = Field(examples=["allianz"])
    insurer_name: str = Field(examples=["Allianz Versicherungs-AG"])
    contact_email: str | None = None
    note: str | None = None
    status: RequestStatus
    sent_at: AwareDatetime
    deadline: AwareDatetime
    reminders_sent: int = 0
    clarification_since: AwareDatetime | None = None
    decline: Decline | None = None
    quote_id: str | None = None
    closed_at: AwareDatetime | None = None

    @classmethod
    def of(cls, request: InsurerRequest, *, with_contact: bool = True) -> RequestPublic:
        public = cls.model_validate(request.model_dump(exclude={"contact_email"}))
        if with_contact:
            public.contact_email = request.contact_email
        return public


class TenderSummary(TenderSnapshot):
    """A row of the tender list."""

    @classmethod
    def of(cls, snapshot: TenderSnapshot) -> TenderSummary:
        return cls.model_validate(snapshot.model_dump())


class TenderPage(BaseModel):
    items: list[TenderSummary]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` for the next page; null at the end"
    )


class LiveTender(BaseModel):
    """The workflow's own state at the moment of the request."""

    status: TenderStatus
    mode: ProcessingMode | None
    policy: PolicyDecision | None
    assignee: Actor | None
    requests: list[RequestPublic]
    quotes: list[Quote]
    accepted_quote_id: str | None = None
    cancel_reason: str | None = None
    messages_count: int = 0
    version: int

    @classmethod
    def of(cls, view: TenderView, *, released_only: bool) -> LiveTender:
        return cls(
            status=view.status,
            mode=view.mode,
            policy=view.policy,
            assignee=view.assignee,
            requests=[RequestPublic.of(r) for r in view.requests],
            quotes=[q for q in view.quotes if q.released or not released_only],
            accepted_quote_id=view.accepted_quote_id,
            cancel_reason=view.cancel_reason,
            messages_count=view.messages_count,
            version=view.version,
        )


class TenderDetail(BaseModel):
    tender: TenderSummary
    submission: TenderSubmission | None
    requests: list[RequestPublic]
    quotes: list[Quote] = Field(description="Brokers see released quotes only")
    live: LiveTender | None = Field(
        default=None, description="Absent when the tender engine does not answer"
    )
    unread_messages: int | None = Field(
        default=None, description="Messages your party has not read; null if none"
    )


class MessagePublic(BaseModel):
    message_id: str
    request_id: str | None
    author: Actor
    text: str
    attachments: list[Attachment]
    is_question: bool
    sent_at: AwareDatetime
    unread: bool = Field(default=False, description="Not yet read by your party")

    @classmethod
    def of(cls, message: ThreadMessage) -> MessagePublic:
        return cls.model_validate(message.model_dump())


class EmailPublic(BaseModel):
    """A system e-mail of the tender; insurers' access links are masked."""

    notification_id: str
    kind: str = Field(examples=["insurer_invitation"])
    recipient_role: str
    recipient_email: str
    request_id: str | None = None
    subject: str
    body: str
    status: str = Field(examples=["pending"])
    created_at: datetime
    sent_at: datetime | None = None


class InsurerTender(BaseModel):
    """What an insurer needs to quote: the risk, never other insurers."""

    tender_id: str
    line_of_business: LineOfBusiness
    trade: str
    policyholder: Policyholder
    broker: BrokerContact
    desired_cover: DesiredCover
    risk_answers: list[RiskAnswer]
    free_text: str | None = None
    documents: list[DocumentRef]
    routing_out_reasons: list[RoutingOutReason] = Field(
        description="This insurer's own reasons only"
    )


class InsurerRequestView(BaseModel):
    request_id: str
    insurer_id: str
    insurer_name: str
    note: str | None = None
    status: RequestStatus
    sent_at: AwareDatetime
    deadline: AwareDatetime
    decline: Decline | None = None
    quote: Quote | None = None
    tender: InsurerTender


class InsurerRequestSummary(BaseModel):
    request_id: str
    tender_id: str
    line_of_business: str
    trade: str
    status: RequestStatus
    sent_at: AwareDatetime
    deadline: AwareDatetime
    quote_id: str | None = None


def insurer_tender(
    tender_id: str, submission: TenderSubmission, insurer_id: str
) -> InsurerTender:
    return InsurerTender(
        tender_id=tender_id,
        line_of_business=submission.line_of_business,
        trade=submission.trade,
        policyholder=submission.policyholder,
        broker=submission.broker,
        desired_cover=submission.desired_cover,
        risk_answers=submission.risk_answers,
        free_text=submission.free_text,
        documents=submission.documents,
        routing_out_reasons=[
            r for r in submission.routing_out_reasons if r.insurer_id == insurer_id
        ],
    )
