"""Processing-mode policies set by administrators, and their resolution."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import or_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from models.policy import PolicyDecision, PolicyValue, TenderTimings
from store.tables import PolicyRecord

PLATFORM_ORGANISATION = "*"
FALLBACK_DECISION = PolicyDecision(policy=PolicyValue.BROKER_CHOICE)


def upsert_policy(
    session: Session,
    *,
    organisation_id: str,
    line_of_business: str | None,
    decision: PolicyDecision,
    updated_by: str,
) -> PolicyRecord:
    """Set the policy of an organisation (line None: its default) and commit.

    organisation_id "*" sets the platform default. One INSERT … ON CONFLICT DO
    UPDATE, so that concurrent first writes for an organisation both succeed
    instead of racing between a select and an insert; the conflict target is
    the partial unique index for a default (line NULL), the unique constraint
    otherwise.
    """
    table = PolicyRecord.__table__
    values = {
        "value": decision.policy.value,
        "backoffice_email": decision.backoffice_email,
        "timings": decision.timings.model_dump(mode="json"),
        "updated_at": datetime.now(UTC),
        "updated_by": updated_by,
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(table).values(
        organisation_id=organisation_id, line_of_business=line_of_business, **values
    )
    if line_of_business is None:
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.organisation_id],
            index_where=table.c.line_of_business.is_(None),
            set_=values,
        )
    else:
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.organisation_id, table.c.line_of_business],
            set_=values,
        )
    session.execute(statement)
    session.commit()
    return session.exec(
        select(PolicyRecord).where(
            PolicyRecord.organisation_id == organisation_id,
            _line_is(line_of_business),
        )
    ).one()


def list_policies(session: Session, organisation_id: str) -> list[PolicyRecord]:
    """The organisation's rows, its default first, then by line of business."""
    rows = session.exec(
        select(PolicyRecord).where(PolicyRecord.organisation_id == organisation_id)
    ).all()
    return sorted(
        rows, key=lambda r: (r.line_of_business is not None, r.line_of_business or "")
    )


def resolve_policy(
    session: Session, organisation_id: str, line_of_business: str
) -> PolicyDecision:
    """Most specific row wins: the organisation's row for the line, the
    organisation default, the platform's row for the line, the platform default;
    without any, BROKER_CHOICE with default timings."""
    rows = session.exec(
        select(PolicyRecord).where(
            col(PolicyRecord.organisation_id).in_(
                [organisation_id, PLATFORM_ORGANISATION]
            ),
            or_(
                col(PolicyRecord.line_of_business).is_(None),
                PolicyRecord.line_of_business == line_of_business,
            ),
        )
    ).all()
    if not rows:
        return FALLBACK_DECISION.model_copy(deep=True)

    best = min(
        rows,
        key=lambda r: (
            r.organisation_id == PLATFORM_ORGANISATION,
            r.line_of_business is None,
        ),
    )
    return to_decision(best)


def to_decision(row: PolicyRecord) -> PolicyDecision:
    return PolicyDecision(
        policy=PolicyValue(row.value),
        backoffice_email=row.backoffice_email,
        timings=TenderTimings.model_validate(row.timings),
    )


def _line_is(line_of_business: str | None):
    if line_of_business is None:
        return col(PolicyRecord.line_of_business).is_(None)
    return PolicyRecord.line_of_business == line_of_business
