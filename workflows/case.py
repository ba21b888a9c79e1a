"""A tender in the making: its state plus what the next projection must carry.

Every step mutates the state and records here what changed (requests, quotes,
messages), who did it (audit) and whom to tell (notifications). The workflow
hands the recorded batch to the read model and starts a new one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from temporalio import workflow

from workflows import rules
from workflows.state import TenderState

with workflow.unsafe.imports_passed_through():
    from models.actors import SYSTEM, Actor, Role
    from models.insurer import InsurerRequest, Quote, ThreadMessage
    from models.policy import ProcessingMode
    from models.projection import AuditEntry, Notification, NotificationKind
    from models.workflow_io import TenderStart, TenderStatus


@dataclass
class Pending:
    request_ids: dict[str, None] = field(default_factory=dict)
    quote_ids: dict[str, None] = field(default_factory=dict)
    messages: list[ThreadMessage] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    steps: int = 0

    def __bool__(self) -> bool:
        return self.steps > 0


class TenderCase:
    def __init__(self, start: TenderStart, state: TenderState) -> None:
        self.start = start
        self.state = state
        self.pending = Pending()

    @property
    def tender_id(self) -> str:
        return self.start.tender_id

    def is_owner(self, actor: Actor) -> bool:
        return actor.role is Role.BROKER and actor.user_id == self.start.broker.user_id

    def take_pending(self) -> Pending:
        taken, self.pending = self.pending, Pending()
        return taken

    def commit(self, now: datetime, key: str | None = None) -> int:
        """Close a step: derive the status, remember its key, bump the version."""
        self._settle_status(now)
        self.state.remember(key)
        self.state.version += 1
        self.pending.steps += 1
        return self.state.version

    def touch(self, item: InsurerRequest | Quote) -> None:
        if isinstance(item, InsurerRequest):
            self.pending.request_ids[item.request_id] = None
        else:
            self.pending.quote_ids[item.quote_id] = None

    def add_message(self, message: ThreadMessage) -> None:
        self.state.messages_count += 1
        if message.is_question:
            self.state.questions_count += 1
        self.pending.messages.append(message)

    def audit(
        self,
        actor: Actor,
        action: str,
        *,
        request_id: str | None = None,
        quote_id: str | None = None,
        **details: str,
    ) -> None:
        self.pending.audit.append(
            AuditEntry(
                event_id=str(workflow.uuid4()),
                tender_id=self.tender_id,
                at=workflow.now(),
                actor=actor,
                action=action,
                request_id=request_id,
                quote_id=quote_id,
                details=details,
            )
        )

    def notify(
        self,
        kind: NotificationKind,
        role: Role,
        email: str | None,
        *,
        request_id: str | None = None,
        **context: str,
    ) -> None:
        if not email:
            return
        self.pending.notifications.append(
            Notification(
                notification_id=str(workflow.uuid4()),
                tender_id=self.tender_id,
                kind=kind,
                recipient_role=role,
                recipient_email=email,
                request_id=request_id,
                context=context,
                created_at=workflow.now(),
            )
        )

    def notify_broker(self, kind: NotificationKind, **context: str) -> None:
        self.notify(
            kind, Role.BROKER, str(self.start.submission.broker.email), **context
        )

    def notify_backoffice(self, kind: NotificationKind, **context: str) -> None:
        email = self.state.policy.backoffice_email if self.state.policy else None
        self.notify(kind, Role.BACKOFFICE, email, **context)

    def notify_handler(self, kind: NotificationKind, **context: str) -> None:
        """Whoever runs the tender: the broker in self-service, else the backoffice."""
        if self.state.mode is ProcessingMode.BACKOFFICE:
            self.notify_backoffice(kind, **context)
        else:
            self.notify_broker(kind, **context)

    def notify_insurer(
        self, kind: NotificationKind, request: InsurerRequest, **context: str
    ) -> None:
        self.notify(
            kind,
            Role.INSURER,
            request.contact_email,
            request_id=request.request_id,
            insurer_name=request.insurer_name,
            access_link=self.state.access_links.get(request.request_id, ""),
            **context,
        )

    def _settle_status(self, now: datetime) -> None:
        before = self.state.status
        after = rules.derive_status(self.state)
        if after is before:
            return
        self.state.status = after
        if after is TenderStatus.BROKER_ACTION_REQUIRED:
            self.state.broker_action_since = now
            self.state.broker_action_reminded = False
        elif before is TenderStatus.BROKER_ACTION_REQUIRED:
            self.state.broker_action_since = None
        if after is TenderStatus.NO_OFFER and not rules.live_quotes(self.state):
            self.notify_broker(NotificationKind.NO_OFFER)
            if self.state.mode is ProcessingMode.BACKOFFICE:
                self.notify_backoffice(NotificationKind.NO_OFFER)
        self.audit(SYSTEM, "status_changed", before=before.value, after=after.value)
