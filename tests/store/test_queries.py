from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from models.policy import ProcessingMode
from models.projection import ProjectionBatch
from models.workflow_io import TenderStatus
from store import queries
from store.db import make_session_factory
from store.projection import apply_batch
from tests.store import builders

T0 = builders.SUBMITTED_AT


def _tender(number: int, **changes) -> ProjectionBatch:
    values = dict(
        updated_at=T0 + timedelta(hours=number),
        submitted_at=T0 + timedelta(hours=number % 3),
    )
    values.update(changes)
    return ProjectionBatch(tender=builders.snapshot(f"t-{number:02d}", **values))


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    batches = [_tender(n) for n in range(1, 8)]
    batches += [
        _tender(
            8,
            organisation_id="org-b",
            mode=ProcessingMode.BACKOFFICE,
            status=TenderStatus.AWAITING_ASSIGNMENT,
        ),
        _tender(
            9,
            organisation_id="org-b",
            mode=ProcessingMode.BACKOFFICE,
            status=TenderStatus.TENDERING,
            assignee_id="agent-1",
            next_deadline=T0 + timedelta(days=3),
        ),
        _tender(10, broker_id="broker-2", line_of_business="cyber"),
    ]
    batches[0].requests.append(builders.request("r-1", token="secret-1"))
    with engine.begin() as connection:
        for batch in batches:
            apply_batch(connection, batch, [], T0)
    with make_session_factory(engine)() as session:
        yield session


def _ids(page: queries.TenderPage) -> list[str]:
    return [row.tender_id for row in page.rows]


def _all_pages(session: Session, **kwargs) -> list[str]:
    ids, cursor = [], None
    while True:
        page = queries.list_tenders(session, limit=3, cursor=cursor, **kwargs)
        ids += _ids(page)
        cursor = page.next_cursor
        if cursor is None:
            return ids


def test_default_order_is_most_recently_updated_first(session: Session) -> None:
    page = queries.list_tenders(session, limit=4)

    assert _ids(page) == ["t-10", "t-09", "t-08", "t-07"]
    assert page.next_cursor is not None


def test_cursor_walks_every_tender_once(session: Session) -> None:
    expected = [f"t-{n:02d}" for n in range(10, 0, -1)]

    assert _all_pages(session) == expected


def test_cursor_walks_ties_in_ascending_order(session: Session) -> None:
    ids = _all_pages(session, sort=queries.TenderSort.SUBMITTED_AT, descending=False)

    assert ids == [
        "t-03", "t-06", "t-09",
        "t-01", "t-04", "t-07", "t-10",
        "t-02", "t-05", "t-08",
    ]  # fmt: skip


def test_tenders_without_deadline_sort_last(session: Session) -> None:
    ids = _all_pages(session, sort=queries.TenderSort.NEXT_DEADLINE, descending=False)

    assert ids[0] == "t-09"
    assert sorted(ids) == [f"t-{n:02d}" for n in range(1, 11)]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (queries.TenderFilters(organisation_id="org-b"), ["t-09", "t-08"]),
        (queries.TenderFilters(organisation_ids=["org-b"]), ["t-09", "t-08"]),
        # an agent entitled to no organisation sees nothing
        (queries.TenderFilters(organisation_ids=[]), []),
        (queries.TenderFilters(mode=ProcessingMode.BACKOFFICE), ["t-09", "t-08"]),
        (queries.TenderFilters(status=[TenderStatus.TENDERING]), ["t-09"]),
        (
            queries.TenderFilters(mode=ProcessingMode.BACKOFFICE, unassigned=True),
            ["t-08"],
        ),
        (queries.TenderFilters(assignee_id="agent-1"), ["t-09"]),
        (queries.TenderFilters(broker_id="broker-2"), ["t-10"]),
        (queries.TenderFilters(line_of_business="cyber"), ["t-10"]),
    ],
)
def test_filters(
    session: Session, filters: queries.TenderFilters, expected: list[str]
) -> None:
    assert _ids(queries.list_tenders(session, filters)) == expected


def test_cursor_of_another_sort_is_refused(session: Session) -> None:
    cursor = queries.list_tenders(session, limit=2).next_cursor

    with pytest.raises(queries.InvalidCursor):
        queries.list_tenders(
            session, sort=queries.TenderSort.SUBMITTED_AT, cursor=cursor
        )
    with pytest.raises(queries.InvalidCursor):
        queries.list_tenders(session, cursor="not-a-cursor")


def test_request_is_found_by_its_token_hash(session: Session) -> None:
    match = queries.find_request_by_token_hash(session, builders.token_hash("secret-1"))

    assert match is not None
    assert (match.tender_id, match.request.request_id) == ("t-01", "r-1")
    assert queries.find_request_by_token_hash(session, builders.token_hash("x")) is None


def test_unknown_tender_is_none(session: Session) -> None:
    assert queries.get_tender(session, "missing") is None
