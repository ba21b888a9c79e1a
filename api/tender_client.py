"""Starting tender workflows and sending them messages, bounded in time.

Every call has an rpc timeout and an overall deadline from the settings, so an
absent worker or server becomes a 503 instead of a hanging request; refusals
from the workflow become 409 problems with the refusal's code.
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import timedelta
from typing import Any

import structlog
from pydantic import BaseModel
from temporalio.client import (
    Client,
    RPCError,
    WorkflowQueryFailedError,
    WorkflowQueryRejectedError,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCStatusCode

from api.problems import ProblemError
from core.settings import Settings
from core.temporal import rpc_timeout
from models.refusals import Refusal
from models.workflow_io import (
    WORKFLOW_NAME,
    RequestOpened,
    TenderStart,
    TenderView,
    workflow_id_for,
)

log = structlog.get_logger(__name__)

VIEW_QUERY = "view"
REQUEST_OPENED_SIGNAL = "request_opened"
QUERY_TIMEOUT_SECONDS = 2.0
_COMPLETED_UPDATE = "AcceptedUpdateCompletedWorkflow"
_REFUSALS = frozenset(r.value for r in Refusal)
_UNPROCESSABLE = frozenset({Refusal.MODE_NOT_ALLOWED.value})
_SUMMARY_BYTES = 200
_TRANSIENT = frozenset(
    {
        RPCStatusCode.UNAVAILABLE,
        RPCStatusCode.DEADLINE_EXCEEDED,
        RPCStatusCode.CANCELLED,
        RPCStatusCode.RESOURCE_EXHAUSTED,
        RPCStatusCode.UNKNOWN,
    }
)


def temporal_unavailable() -> ProblemError:
    return ProblemError(
        503,
        "temporal_unavailable",
        "The tender engine did not answer in time; retry later.",
        headers={"Retry-After": "5"},
    )


def refused_by_engine(error: RPCError) -> ProblemError | None:
    """413 or 422 for a request the tender engine refuses for its size or its
    content: retrying it would fail the same way."""
    message = str(error.message).lower()
    too_large = "size" in message or "larger than" in message
    if error.status == RPCStatusCode.RESOURCE_EXHAUSTED and too_large:
        return payload_too_large()
    if error.status != RPCStatusCode.INVALID_ARGUMENT:
        return None
    if too_large:
        return payload_too_large()
    return ProblemError(
        422, "validation_error", "The tender engine refused the request as invalid."
    )


def payload_too_large() -> ProblemError:
    return ProblemError(
        413, "payload_too_large", "The request is too large for the tender engine."
    )


def tender_unavailable() -> ProblemError:
    return ProblemError(
        503,
        "tender_unavailable",
        "The tender cannot take messages right now; retry later.",
        headers={"Retry-After": "30"},
    )


def tender_closed() -> ProblemError:
    return ProblemError(409, "tender_closed", "The tender is closed.")


def refusal_problem(error: ApplicationError) -> ProblemError | None:
    code = error.type or ""
    if code == _COMPLETED_UPDATE:
        return tender_closed()
    if code not in _REFUSALS:
        return None
    status = 422 if code in _UNPROCESSABLE else 409
    return ProblemError(status, code, error.message or None)


def update_id(name: str, subject: str, key: str) -> str:
    """The update id for a client's idempotency key, scoped to caller and action."""
    digest = hashlib.sha256(f"{subject}\x1f{key}".encode()).hexdigest()[:32]
    return f"{name}-{digest}"


def static_summary(line_of_business: str, trade: str, mode: str | None) -> str:
    trade_line = " ".join(trade.split())
    summary = f"{line_of_business} · {trade_line} · {mode or 'mode pending'}"
    encoded = summary.encode()
    if len(encoded) <= _SUMMARY_BYTES:
        return summary
    return encoded[: _SUMMARY_BYTES - 3].decode(errors="ignore") + "..."


class TenderClient:
    """The API's side of the tender workflow."""

    def __init__(self, client: Client, settings: Settings) -> None:
        self.client = client
        self.settings = settings
        self._rpc_timeout = rpc_timeout(settings)
        self._deadline = settings.temporal_rpc_timeout_seconds + 1.0

    async def start(
        self,
        start: TenderStart,
        *,
        search_attributes: list[SearchAttributePair[Any]],
        summary: str,
    ) -> None:
        try:
            async with asyncio.timeout(self._deadline):
                await self.client.start_workflow(
                    WORKFLOW_NAME,
                    start,
                    id=workflow_id_for(start.tender_id),
                    task_queue=self.settings.task_queue,
                    id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                    id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
                    search_attributes=TypedSearchAttributes(search_attributes),
                    static_summary=summary,
                    rpc_timeout=self._rpc_timeout,
                )
        except WorkflowAlreadyStartedError:
            raise ProblemError(
                409,
                "tender_already_started",
                "A tender with this id (or idempotency key) was started before.",
                headers={"Location": f"/tenders/{start.tender_id}"},
            ) from None
        except (TimeoutError, RPCError, RuntimeError) as error:
            self._raise_unavailable("start", error)

    async def update(
        self,
        tender_id: str,
        name: str,
        message: BaseModel,
        *,
        update_id: str,
        result_type: type | None = None,
    ) -> Any:
        handle = self.client.get_workflow_handle(workflow_id_for(tender_id))
        try:
            async with asyncio.timeout(self._deadline):
                return await handle.execute_update(
                    name,
                    message,
                    id=update_id,
                    result_type=result_type,
                    rpc_timeout=self._rpc_timeout,
                )
        except WorkflowUpdateFailedError as error:
            cause = error.cause
            problem = (
                refusal_problem(cause) if isinstance(cause, ApplicationError) else None
            )
            if problem is None:
                log.error(
                    "update_failed",
                    update=name,
                    cause_type=type(cause).__name__,
                    failure_type=getattr(cause, "type", None),
                )
                raise
            log.info("update_refused", update=name, code=problem.code)
            raise problem from None
        except RPCError as error:
            if error.status == RPCStatusCode.NOT_FOUND:
                log.info("update_to_closed_tender", update=name)
                raise tender_closed() from None
            if error.status == RPCStatusCode.FAILED_PRECONDITION:
                log.warning("tender_unavailable", update=name)
                raise tender_unavailable() from None
            self._raise_unavailable(name, error)
        except (
            TimeoutError,
            WorkflowUpdateRPCTimeoutOrCancelledError,
            RuntimeError,
        ) as error:
            self._raise_unavailable(name, error)

    async def view(self, tender_id: str) -> TenderView | None:
        """The live view, or None when the worker does not answer quickly."""
        timeout = min(QUERY_TIMEOUT_SECONDS, self.settings.temporal_rpc_timeout_seconds)
        handle = self.client.get_workflow_handle(workflow_id_for(tender_id))
        try:
            async with asyncio.timeout(timeout):
                return await handle.query(
                    VIEW_QUERY,
                    result_type=TenderView,
                    rpc_timeout=timedelta(seconds=timeout),
                )
        except (
            TimeoutError,
            RPCError,
            RuntimeError,
            WorkflowQueryFailedError,
            WorkflowQueryRejectedError,
        ) as error:
            log.info("view_unavailable", error_type=type(error).__name__)
            return None

    async def request_opened(self, tender_id: str, signal: RequestOpened) -> None:
        handle = self.client.get_workflow_handle(workflow_id_for(tender_id))
        try:
            async with asyncio.timeout(self._deadline):
                await handle.signal(
                    REQUEST_OPENED_SIGNAL, signal, rpc_timeout=self._rpc_timeout
                )
        except RPCError as error:
            if error.status == RPCStatusCode.NOT_FOUND:
                return
            log.warning(
                "signal_failed", signal=REQUEST_OPENED_SIGNAL, status=error.status
            )
        except (TimeoutError, RuntimeError) as error:
            log.warning(
                "signal_failed",
                signal=REQUEST_OPENED_SIGNAL,
                error=type(error).__name__,
            )

    def _raise_unavailable(self, operation: str, error: BaseException) -> None:
        """503 for a server or worker that does not answer; other RPC errors
        are faults of ours and surface as 500."""
        status = error.status.name if isinstance(error, RPCError) else None
        refused = refused_by_engine(error) if isinstance(error, RPCError) else None
        if refused is not None:
            log.info("temporal_refused", operation=operation, rpc_status=status)
            raise refused from None
        if isinstance(error, RPCError) and error.status not in _TRANSIENT:
            log.error("temporal_call_failed", operation=operation, rpc_status=status)
            raise error
        log.warning(
            "temporal_unavailable",
            operation=operation,
            error_type=type(error).__name__,
            rpc_status=status,
        )
        raise temporal_unavailable() from None
