from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from temporalio.testing import ActivityEnvironment

from activities.readmodel import ReadModelActivities
from models.policy import PolicyDecision, PolicyValue, TenderTimings
from models.projection import PolicyQuery
from store import queries
from store.db import make_session_factory

LIABILITY = "business_liability"


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with make_session_factory(engine)() as session:
        yield session


def _set(
    session: Session, organisation_id: str, line: str | None, value: PolicyValue
) -> None:
    queries.upsert_policy(
        session,
        organisation_id=organisation_id,
        line_of_business=line,
        decision=PolicyDecision(policy=value, backoffice_email="bo@example.de"),
        updated_by="admin-1",
    )


def test_without_any_policy_the_broker_chooses(session: Session) -> None:
    decision = queries.resolve_policy(session, "org-a", LIABILITY)

    assert decision == PolicyDecision(policy=PolicyValue.BROKER_CHOICE)


def test_platform_default_applies_to_an_organisation_without_rows(
    session: Session,
) -> None:
    _set(session, "*", None, PolicyValue.BACKOFFICE)
    _set(session, "org-b", None, PolicyValue.SELF_SERVICE)

    assert queries.resolve_policy(session, "org-a", LIABILITY).policy == "BACKOFFICE"


def test_organisation_default_beats_the_platform(session: Session) -> None:
    _set(session, "*", None, PolicyValue.BACKOFFICE)
    _set(session, "*", LIABILITY, PolicyValue.BACKOFFICE)
    _set(session, "org-a", None, PolicyValue.SELF_SERVICE)

    assert queries.resolve_policy(session, "org-a", LIABILITY).policy == "SELF_SERVICE"


def test_line_specific_row_beats_the_organisation_default(session: Session) -> None:
    _set(session, "org-a", None, PolicyValue.SELF_SERVICE)
    _set(session, "org-a", LIABILITY, PolicyValue.BACKOFFICE)
    _set(session, "org-a", "cyber", PolicyValue.BROKER_CHOICE)

    assert queries.resolve_policy(session, "org-a", LIABILITY).policy == "BACKOFFICE"
    assert queries.resolve_policy(session, "org-a", "contents").policy == "SELF_SERVICE"


def test_upsert_replaces_the_row_of_the_same_scope(session: Session) -> None:
    _set(session, "org-a", None, PolicyValue.SELF_SERVICE)
    _set(session, "org-a", None, PolicyValue.BACKOFFICE)
    _set(session, "org-a", LIABILITY, PolicyValue.SELF_SERVICE)

    rows = queries.list_policies(session, "org-a")

    assert [(r.line_of_business, r.value) for r in rows] == [
        (None, "BACKOFFICE"),
        (LIABILITY, "SELF_SERVICE"),
    ]
    assert rows[0].updated_at.tzinfo is not None


def test_activity_returns_the_stored_timings(engine: Engine, session: Session) -> None:
    timings = TenderTimings(
        response_business_days=5, response_period=timedelta(minutes=2)
    )
    queries.upsert_policy(
        session,
        organisation_id="org-a",
        line_of_business=None,
        decision=PolicyDecision(policy=PolicyValue.BACKOFFICE, timings=timings),
        updated_by="admin-1",
    )
    activities = ReadModelActivities(engine, public_base_url="https://app.example")

    decision = ActivityEnvironment().run(
        activities.resolve_policy,
        PolicyQuery(organisation_id="org-a", line_of_business=LIABILITY),
    )

    assert decision == PolicyDecision(policy=PolicyValue.BACKOFFICE, timings=timings)
