"""The tender workflow: one per tender, the single source of truth while it runs.

Handlers check and apply a message synchronously, then wait until the main loop
has projected their step into the read model. The main loop owns time (one
durable timer for the earliest due moment), projection and continue-as-new.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

from workflows import agenda, checks, projection, steps, threads
from workflows.case import TenderCase
from workflows.delivery import NoticeDelivery
from workflows.state import TenderState
from workflows.timer import DueTimer

with workflow.unsafe.imports_passed_through():
    import email_validator  # noqa: F401  pydantic loads it lazily for EmailStr

    from models.insurer import RequestStatus
    from models.policy import PolicyDecision
    from models.projection import PolicyQuery
    from models.workflow_io import (
        WORKFLOW_NAME,
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
        RequestOpened,
        RequestResubmission,
        SubmitQuote,
        TenderStart,
        TenderView,
    )

READ_MODEL_TIMEOUT = timedelta(seconds=30)
READ_MODEL_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=2),
    maximum_attempts=0,
)

M = TypeVar("M")
Step = Callable[[TenderCase, M, Any], None]


@workflow.defn(name=WORKFLOW_NAME)
class TenderWorkflow:
    @workflow.init
    def __init__(self, start: TenderStart, carried: TenderState | None = None) -> None:
        if not isinstance(start, TenderStart):
            # A start with only the first argument arrives untyped: the SDK
            # applies type hints only when every declared argument is sent.
            start = TenderStart.model_validate(start)
        state = carried or TenderState(submitted_at=workflow.now())
        self._case = TenderCase(start, state)
        self._projected_version = state.version
        self._timer = DueTimer()
        self._delivery = NoticeDelivery(start.tender_id)
        self._details = ""

    @property
    def _state(self) -> TenderState:
        return self._case.state

    @workflow.run
    async def run(
        self, start: TenderStart, carried: TenderState | None = None
    ) -> TenderView:
        start = self._case.start
        if self._state.policy is None:
            decision = await workflow.execute_local_activity(
                "resolve_policy",
                PolicyQuery(
                    organisation_id=start.organisation_id,
                    line_of_business=start.submission.line_of_business.value,
                ),
                result_type=PolicyDecision,
                start_to_close_timeout=READ_MODEL_TIMEOUT,
                retry_policy=READ_MODEL_RETRY,
                summary="resolve tender policy",
            )
            steps.begin(self._case, decision, workflow.now())
            self._case.commit(workflow.now())
            workflow.logger.info(
                "tender_started",
                extra={"tender_id": start.tender_id, "policy": decision.policy.value},
            )

        while not self._state.closed:
            self._timer.arm(agenda.next_due(self._case))
            await workflow.wait_condition(
                lambda: bool(self._case.pending) or self._timer.fired()
            )
            if self._timer.fired():
                self._run_due()
            if self._case.pending:
                await self._project()
            if not self._state.closed and self._history_is_long():
                await self._continue_as_new()

        self._timer.cancel()
        await self._settle_handlers()
        workflow.logger.info(
            "tender_closed",
            extra={"tender_id": start.tender_id, "status": self._state.status.value},
        )
        return projection.view(self._case)

    # Messages

    @workflow.update(name="choose_mode")
    async def choose_mode(self, msg: ChooseMode) -> TenderView:
        return await self._apply(checks.choose_mode, steps.choose_mode, msg)

    @choose_mode.validator
    def _validate_choose_mode(self, msg: ChooseMode) -> None:
        self._validate(checks.choose_mode, msg)

    @workflow.update(name="add_insurers")
    async def add_insurers(self, msg: AddInsurers) -> TenderView:
        return await self._apply(checks.add_insurers, steps.add_insurers, msg)

    @add_insurers.validator
    def _validate_add_insurers(self, msg: AddInsurers) -> None:
        self._validate(checks.add_insurers, msg)

    @workflow.update(name="claim")
    async def claim(self, msg: Claim) -> TenderView:
        return await self._apply(checks.claim, steps.claim, msg)

    @claim.validator
    def _validate_claim(self, msg: Claim) -> None:
        self._validate(checks.claim, msg)

    @workflow.update(name="assign")
    async def assign(self, msg: Assign) -> TenderView:
        return await self._apply(checks.assign, steps.assign, msg)

    @assign.validator
    def _validate_assign(self, msg: Assign) -> None:
        self._validate(checks.assign, msg)

    @workflow.update(name="submit_quote")
    async def submit_quote(self, msg: SubmitQuote) -> TenderView:
        return await self._apply(checks.submit_quote, steps.submit_quote, msg)

    @submit_quote.validator
    def _validate_submit_quote(self, msg: SubmitQuote) -> None:
        self._validate(checks.submit_quote, msg)

    @workflow.update(name="decline_request")
    async def decline_request(self, msg: DeclineRequest) -> TenderView:
        return await self._apply(checks.decline_request, steps.decline_request, msg)

    @decline_request.validator
    def _validate_decline_request(self, msg: DeclineRequest) -> None:
        self._validate(checks.decline_request, msg)

    @workflow.update(name="post_message")
    async def post_message(self, msg: PostMessage) -> TenderView:
        return await self._apply(checks.post_message, threads.post_message, msg)

    @post_message.validator
    def _validate_post_message(self, msg: PostMessage) -> None:
        self._validate(checks.post_message, msg)

    @workflow.update(name="request_resubmission")
    async def request_resubmission(self, msg: RequestResubmission) -> TenderView:
        return await self._apply(
            checks.request_resubmission, steps.request_resubmission, msg
        )

    @request_resubmission.validator
    def _validate_request_resubmission(self, msg: RequestResubmission) -> None:
        self._validate(checks.request_resubmission, msg)

    @workflow.update(name="extend_deadline")
    async def extend_deadline(self, msg: ExtendDeadline) -> TenderView:
        return await self._apply(checks.extend_deadline, steps.extend_deadline, msg)

    @extend_deadline.validator
    def _validate_extend_deadline(self, msg: ExtendDeadline) -> None:
        self._validate(checks.extend_deadline, msg)

    @workflow.update(name="release_quotes")
    async def release_quotes(self, msg: ReleaseQuotes) -> TenderView:
        return await self._apply(checks.release_quotes, steps.release_quotes, msg)

    @release_quotes.validator
    def _validate_release_quotes(self, msg: ReleaseQuotes) -> None:
        self._validate(checks.release_quotes, msg)

    @workflow.update(name="accept_quote")
    async def accept_quote(self, msg: AcceptQuote) -> TenderView:
        return await self._apply(checks.accept_quote, steps.accept_quote, msg)

    @accept_quote.validator
    def _validate_accept_quote(self, msg: AcceptQuote) -> None:
        self._validate(checks.accept_quote, msg)

    @workflow.update(name="cancel")
    async def cancel(self, msg: CancelTender) -> TenderView:
        return await self._apply(checks.cancel, steps.cancel, msg)

    @cancel.validator
    def _validate_cancel(self, msg: CancelTender) -> None:
        self._validate(checks.cancel, msg)

    @workflow.signal(name="request_opened")
    def request_opened(self, signal: RequestOpened) -> None:
        key = f"request_opened:{signal.key}"
        request = self._state.request(signal.request_id)
        if self._state.has_applied(key) or self._state.closed or request is None:
            return
        if request.status is not RequestStatus.SENT:
            self._state.remember(key)
            return
        steps.request_opened(self._case, request, workflow.now())
        self._case.commit(workflow.now(), key)

    @workflow.query(name="view")
    def view(self) -> TenderView:
        return projection.view(self._case)

    # Handler plumbing

    def _validate(self, check: Step[M], msg: M) -> None:
        if self._state.has_applied(_update_id()) or self._state.policy is None:
            return
        check(self._case, msg, workflow.now())

    async def _apply(self, check: Step[M], step: Step[M], msg: M) -> TenderView:
        key = _update_id()
        if self._state.has_applied(key):
            return await self._projected(self._state.version)
        if self._state.policy is None:
            await workflow.wait_condition(lambda: self._state.policy is not None)
        now = workflow.now()
        check(self._case, msg, now)
        step(self._case, msg, now)
        version = self._case.commit(now, key)
        return await self._projected(version)

    async def _projected(self, version: int) -> TenderView:
        await workflow.wait_condition(lambda: self._projected_version >= version)
        return projection.view(self._case)

    # Main loop plumbing

    async def _project(self) -> None:
        now = workflow.now()
        pending = self._case.take_pending()
        batch = projection.batch(self._case, pending, now)
        try:
            await workflow.execute_local_activity(
                "project_tender",
                batch,
                result_type=type(None),
                start_to_close_timeout=READ_MODEL_TIMEOUT,
                retry_policy=READ_MODEL_RETRY,
                summary=f"project tender version {batch.tender.version}",
            )
        except ActivityError as error:
            workflow.logger.error(
                "tender_projection_failed",
                extra={
                    "tender_id": self._case.tender_id,
                    "version": batch.tender.version,
                },
            )
            raise RuntimeError("the read model refused a tender step") from error
        self._state.submission_projected = True
        self._projected_version = batch.tender.version
        self._delivery.send([n.notification_id for n in batch.notifications])
        self._publish()

    def _publish(self) -> None:
        info = workflow.info()
        updates = projection.search_attribute_updates(
            self._case, info.typed_search_attributes
        )
        if updates:
            workflow.upsert_search_attributes(updates)
        details = projection.current_details(self._case)
        if details != self._details:
            self._details = details
            workflow.set_current_details(details)

    def _run_due(self) -> None:
        now = workflow.now()
        self._timer.cancel()
        if agenda.apply_due(self._case, now):
            self._case.commit(now)

    async def _continue_as_new(self) -> None:
        """Carry the whole state into a fresh run, unless a handler closed the
        tender while the last steps were projected."""
        await self._settle_handlers()
        if self._state.closed:
            return
        workflow.logger.info(
            "tender_continued_as_new",
            extra={"tender_id": self._case.tender_id, "version": self._state.version},
        )
        workflow.continue_as_new(args=[self._case.start, self._state])

    def _history_is_long(self) -> bool:
        info = workflow.info()
        limit = self._case.start.max_history_events
        if limit is not None and info.get_current_history_length() > limit:
            return True
        return info.is_continue_as_new_suggested()

    async def _settle_handlers(self) -> None:
        """Project what handlers applied, and deliver its notices, until nothing
        is left running."""

        def settled() -> bool:
            return workflow.all_handlers_finished() and self._delivery.idle()

        while True:
            await workflow.wait_condition(lambda: bool(self._case.pending) or settled())
            if self._case.pending:
                await self._project()
            elif settled():
                return


def _update_id() -> str | None:
    info = workflow.current_update_info()
    return info.id if info else None
