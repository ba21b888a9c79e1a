"""Administration: which processing mode an organisation's tenders run in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlmodel import Session, col, select

from api.deps import AdminDep, SessionDep
from api.problems import problem_responses
from api.schemas import PolicyBody, PolicyPublic
from models.policy import PolicyDecision
from store import queries
from store.tables import PolicyRecord

router = APIRouter(prefix="/admin", tags=["admin"])

OrganisationId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=100,
        pattern=r"^(\*|[A-Za-z0-9_.-]+)$",
        description='An organisation, or "*" for the platform default',
    ),
]


def _public(row: PolicyRecord) -> PolicyPublic:
    return PolicyPublic.model_validate(row, from_attributes=True)


def _all_policies(session: Session) -> list[PolicyRecord]:
    rows = session.exec(
        select(PolicyRecord).order_by(col(PolicyRecord.organisation_id))
    )
    return sorted(
        rows.all(),
        key=lambda r: (r.organisation_id, r.line_of_business is not None,
                       r.line_of_business or ""),
    )  # fmt: skip


@router.get(
    "/policies",
    response_model=list[PolicyPublic],
    responses=problem_responses(401, 403, 422),
)
def list_policies(
    principal: AdminDep,
    session: SessionDep,
    organisation_id: Annotated[str | None, Query(max_length=100)] = None,
) -> list[PolicyPublic]:
    """Policies of one organisation, or of all; defaults before per-line rows."""
    if organisation_id is None:
        rows = _all_policies(session)
    else:
        rows = queries.list_policies(session, organisation_id)
    return [_public(row) for row in rows]


@router.put(
    "/policies/{organisation_id}",
    response_model=PolicyPublic,
    responses=problem_responses(401, 403, 422),
)
def put_policy(
    organisation_id: OrganisationId,
    body: PolicyBody,
    principal: AdminDep,
    session: SessionDep,
) -> PolicyPublic:
    """Set an organisation's policy, for one line of business or as its default."""
    row = queries.upsert_policy(
        session,
        organisation_id=organisation_id,
        line_of_business=body.line_of_business.value if body.line_of_business else None,
        decision=PolicyDecision(
            policy=body.value,
            backoffice_email=body.backoffice_email,
            timings=body.timings,
        ),
        updated_by=principal.subject,
    )
    return _public(row)
