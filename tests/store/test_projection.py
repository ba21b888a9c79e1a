from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import OperationalError
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.readmodel import ReadModelActivities
from models.insurer import RequestStatus
from models.projection import NotificationKind, ProjectionBatch
from models.workflow_io import TenderStatus
from store import queries
from store.db import make_engine, make_session_factory
from store.tables import OutboxRecord, TenderRecord
from tests.store import builders

TABLES = [
    "tender",
    "insurer_request",
    "quote",
    "thread_message",
    "audit_event",
    "outbox",
]


def _dump(engine: Engine) -> dict[str, list]:
    with engine.connect() as connection:
        return {
            table: sorted(
                map(tuple, connection.execute(text(f"SELECT * FROM {table}")))
            )
            for table in TABLES
        }


def _project(engine: Engine, batch: ProjectionBatch) -> None:
    activities = ReadModelActivities(engine, public_base_url="https://app.example")
    ActivityEnvironment().run(activities.project_tender, batch)


def _quoted_batch() -> ProjectionBatch:
    return ProjectionBatch(
        tender=builders.snapshot(
            version=3,
            status=TenderStatus.BROKER_ACTION_REQUIRED,
            requests_total=1,
            quotes_total=1,
        ),
        requests=[builders.request(status=RequestStatus.QUOTED, quote_id="q-1")],
        quotes=[builders.quote(released=True, released_at=builders.SUBMITTED_AT)],
        audit=[builders.audit("a-3")],
    )


def test_first_batch_creates_the_tender_with_its_submission(engine: Engine) -> None:
    _project(engine, builders.first_batch())

    with make_session_factory(engine)() as session:
        detail = queries.get_tender(session, "t-1")
        outbox = queries.list_outbox(session, "t-1")
    assert detail is not None
    assert detail.tender == builders.snapshot()
    assert detail.submission == builders.submission()
    assert detail.tender.submitted_at.tzinfo is not None
    assert [row.status for row in outbox] == ["pending"]


def test_same_batch_twice_changes_nothing(engine: Engine) -> None:
    _project(engine, builders.first_batch())
    _project(engine, builders.tendering_batch())
    before = _dump(engine)

    _project(engine, builders.tendering_batch())
    _project(engine, builders.first_batch())

    assert _dump(engine) == before


def test_older_batch_after_newer_changes_nothing(engine: Engine) -> None:
    _project(engine, builders.first_batch())
    _project(engine, builders.tendering_batch())
    _project(engine, _quoted_batch())
    before = _dump(engine)

    _project(engine, builders.tendering_batch())

    assert _dump(engine) == before
    with make_session_factory(engine)() as session:
        detail = queries.get_tender(session, "t-1")
    assert detail.tender.status is TenderStatus.BROKER_ACTION_REQUIRED
    assert detail.requests[0].status is RequestStatus.QUOTED
    assert detail.quotes == _quoted_batch().quotes


def test_tender_row_only_moves_forward_in_version(engine: Engine) -> None:
    _project(engine, builders.first_batch())
    _project(engine, _quoted_batch())
    stale = builders.tendering_batch(version=3)
    stale.tender.status = TenderStatus.CANCELLED

    _project(engine, stale)

    with engine.connect() as connection:
        row = connection.execute(
            select(TenderRecord.status, TenderRecord.version)
        ).one()
    assert tuple(row) == ("BROKER_ACTION_REQUIRED", 3)


def test_new_rows_of_an_old_batch_are_still_inserted(engine: Engine) -> None:
    _project(engine, builders.first_batch())
    _project(engine, _quoted_batch())
    late = builders.tendering_batch()
    late.messages.append(builders.message("m-late", request_id=None))

    _project(engine, late)

    with make_session_factory(engine)() as session:
        messages = queries.list_messages(session, "t-1")
        tender_level = queries.list_messages(session, "t-1", request_id="r-1")
    assert {m.message_id for m in messages} == {"m-1", "m-late"}
    assert [m.message_id for m in tender_level] == ["m-1"]


def test_outbox_row_is_rendered_at_insert(engine: Engine) -> None:
    _project(engine, builders.first_batch())

    with make_session_factory(engine)() as session:
        row = session.get(OutboxRecord, "n-t-1")
    assert row.subject.startswith("Ihre Ausschreibung ist eingegangen")
    assert "https://app.example/tenders/t-1" in row.body
    assert "Bitte antworten Sie nicht auf diese E-Mail" in row.body
    assert row.created_at == builders.SUBMITTED_AT


def test_unrenderable_notice_fails_without_retry_and_writes_nothing(
    engine: Engine,
) -> None:
    batch = builders.first_batch()
    batch.notifications.append(
        builders.notification(NotificationKind.INSURER_INVITATION, "n-bad")
    )

    with pytest.raises(ApplicationError) as raised:
        _project(engine, batch)

    assert raised.value.type == "NoticeTemplateError"
    assert raised.value.non_retryable
    assert all(rows == [] for rows in _dump(engine).values())


def test_datetimes_come_back_in_utc(engine: Engine) -> None:
    berlin = datetime(2026, 3, 2, 10, 30, tzinfo=UTC).astimezone(
        ZoneInfo("Europe/Berlin")
    )
    _project(engine, builders.first_batch(submitted_at=berlin))

    with make_session_factory(engine)() as session:
        detail = queries.get_tender(session, "t-1")
    assert detail.tender.submitted_at == berlin
    assert detail.tender.submitted_at.utcoffset() == timedelta(0)


def test_unreachable_database_is_a_retryable_error() -> None:
    engine = make_engine("postgresql://nobody@127.0.0.1:1/none?connect_timeout=1")
    with pytest.raises(OperationalError):
        _project(engine, builders.first_batch())
