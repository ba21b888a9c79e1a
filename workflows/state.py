"""What a tender workflow carries: its state, across continue-as-new too.

Message texts are not kept here; they go to the read model. Everything in this
model travels in workflow histories: add fields only with defaults.
"""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, Field
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.actors import Actor
    from models.insurer import InsurerRequest, Quote
    from models.policy import PolicyDecision, ProcessingMode
    from models.workflow_io import TenderStatus

APPLIED_KEYS_KEPT = 1000


class TenderState(BaseModel):
    submitted_at: AwareDatetime
    policy: PolicyDecision | None = None
    mode: ProcessingMode | None = None
    assignee: Actor | None = None
    status: TenderStatus = TenderStatus.SUBMITTED
    requests: list[InsurerRequest] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list)
    access_links: dict[str, str] = Field(
        default_factory=dict,
        description="request_id -> the insurer's personal link, for its e-mails",
    )
    accepted_quote_id: str | None = None
    cancelled: bool = False
    cancel_reason: str | None = None
    closed_at: AwareDatetime | None = None
    messages_count: int = 0
    questions_count: int = 0
    version: int = 0
    applied_keys: list[str] = Field(
        default_factory=list,
        description="Update ids and signal keys applied, newest last, bounded",
    )
    escalate_at: AwareDatetime | None = None
    escalated: bool = False
    broker_action_since: AwareDatetime | None = None
    broker_action_reminded: bool = False
    submission_projected: bool = False

    @property
    def closed(self) -> bool:
        return self.cancelled or self.accepted_quote_id is not None

    def request(self, request_id: str | None) -> InsurerRequest | None:
        return next((r for r in self.requests if r.request_id == request_id), None)

    def quote(self, quote_id: str | None) -> Quote | None:
        return next((q for q in self.quotes if q.quote_id == quote_id), None)

    def open_requests(self) -> list[InsurerRequest]:
        return [r for r in self.requests if r.is_open]

    def has_applied(self, key: str | None) -> bool:
        return key is not None and key in self.applied_keys

    def remember(self, key: str | None) -> None:
        if key is None or key in self.applied_keys:
            return
        self.applied_keys.append(key)
        del self.applied_keys[:-APPLIED_KEYS_KEPT]
