"""The backoffice work queue ("Manuelle Anfragen")."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, Field

from api.access import db
from api.deps import SessionDep, allow
from api.problems import FieldError, ProblemError, problem_responses
from api.security import Principal
from models.actors import Role
from models.policy import ProcessingMode
from models.workflow_io import TenderStatus
from store import queue
from store.queries import InvalidCursor

router = APIRouter(prefix="/backoffice", tags=["backoffice"])

MAX_PAGE = 100
QueueReaderDep = Annotated[Principal, allow(Role.BACKOFFICE, Role.ADMIN, Role.OPS)]
SortParam = Literal[
    "updated_at", "-updated_at", "submitted_at", "-submitted_at",
    "assignee", "-assignee",
]  # fmt: skip


class Party(BaseModel):
    id: str
    name: str | None = None


class QueueItem(BaseModel):
    """A row of the queue; self-service tenders are listed but marked."""

    tender_id: str
    organisation_id: str
    broker: Party
    assignee: Party | None
    line_of_business: str = Field(examples=["business_liability"])
    trade: str = Field(examples=["Tischlerei"])
    status: TenderStatus
    mode: ProcessingMode | None
    self_service: bool
    broker_action_required: bool
    submitted_at: AwareDatetime
    updated_at: AwareDatetime
    unread: int = Field(description="Messages the backoffice has not read")

    @classmethod
    def of(cls, row: queue.QueueRow) -> QueueItem:
        assignee = None
        if row.assignee_id is not None:
            assignee = Party(id=row.assignee_id, name=row.assignee_name)
        return cls(
            **row.model_dump(exclude={"broker_id", "broker_name", "assignee_id",
                                      "assignee_name"}),
            broker=Party(id=row.broker_id, name=row.broker_name),
            assignee=assignee,
        )  # fmt: skip


class QueuePage(BaseModel):
    items: list[QueueItem]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` for the next page; null at the end"
    )


@router.get(
    "/queue", response_model=QueuePage, responses=problem_responses(401, 403, 422)
)
async def read_queue(
    principal: QueueReaderDep,
    session: SessionDep,
    view: queue.QueueView = queue.QueueView.OPEN,
    search: Annotated[
        str | None, Query(min_length=1, max_length=100, description="Tender id prefix")
    ] = None,
    sort: SortParam = "-updated_at",
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
) -> QueuePage:
    """Open tenders of the caller's organisations by view, one page at a time."""
    visible = principal.visible_organisations()
    organisation_ids = sorted(visible) if visible is not None else None

    def read(s):
        return queue.list_queue(
            s,
            view,
            organisation_ids=organisation_ids,
            search=search,
            sort=queue.QueueSort(sort.lstrip("-")),
            descending=sort.startswith("-"),
            limit=limit,
            cursor=cursor,
        )

    try:
        page = await db(session, read)
    except InvalidCursor:
        raise ProblemError(
            422,
            "validation_error",
            "The cursor is not valid for this sort order.",
            errors=[
                FieldError(
                    field="query.cursor",
                    message="invalid cursor",
                    type="invalid_cursor",
                )
            ],
        ) from None
    return QueuePage(
        items=[QueueItem.of(row) for row in page.rows], next_cursor=page.next_cursor
    )
