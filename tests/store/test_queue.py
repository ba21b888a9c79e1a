from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from models.actors import Actor, Role
from models.insurer import RequestStatus, ThreadMessage
from models.policy import ProcessingMode
from models.projection import ProjectionBatch
from models.workflow_io import TenderStatus
from store import queries, reads
from store.db import make_session_factory
from store.projection import apply_batch
from store.queue import QueueSort, QueueView, list_queue
from tests.store import builders

T0 = builders.SUBMITTED_AT
BO = ProcessingMode.BACKOFFICE
SELF = ProcessingMode.SELF_SERVICE


def _tender(number: int, mode=BO, status=TenderStatus.IN_REVIEW, **changes):
    tender_id = f"q-{number:02d}"
    values = dict(
        organisation_id="org-a",
        mode=mode,
        status=status,
        updated_at=T0 + timedelta(hours=number),
        submitted_at=T0 + timedelta(hours=10 - number),
    )
    values.update(changes)
    return ProjectionBatch(tender=builders.snapshot(tender_id, **values))


def _with_quote(batch: ProjectionBatch, request_status, **quote) -> ProjectionBatch:
    tender_id = batch.tender.tender_id
    request_id = f"r-{tender_id}"
    batch.requests.append(
        builders.request(request_id, token=f"token-{tender_id}", status=request_status)
    )
    if quote:
        batch.quotes.append(builders.quote(f"qt-{tender_id}", request_id, **quote))
    return batch


def _message(tender_id: str, number: int, role: Role, request_id=None):
    author = Actor(role=role, user_id=f"{role.value}-1", insurer_id="allsafe")
    return ThreadMessage(
        message_id=f"m-{tender_id}-{number}",
        request_id=request_id,
        author=author,
        text="Bitte die Umsatzzahlen nachreichen.",
        sent_at=T0 + timedelta(days=1, minutes=number),
    )


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    action = TenderStatus.BROKER_ACTION_REQUIRED
    batches = [
        _tender(1, SELF, TenderStatus.SUBMITTED),
        _tender(2, status=TenderStatus.AWAITING_ASSIGNMENT),
        _with_quote(
            _tender(3, status=TenderStatus.TENDERING, assignee_id="agent-b"),
            RequestStatus.SENT,
        ),
        _with_quote(
            _tender(4, status=action, assignee_id="agent-a"),
            RequestStatus.QUOTED,
            released=True,
        ),
        _with_quote(
            _tender(5, assignee_id="agent-c"), RequestStatus.QUOTED, released=False
        ),
        _with_quote(
            _tender(6, SELF, TenderStatus.NO_OFFER),
            RequestStatus.EXPIRED,
            released=True,
            expired=True,
        ),
        _with_quote(_tender(7, SELF, action), RequestStatus.QUOTED, released=True),
        _tender(8, status=TenderStatus.CONCLUDED, assignee_id="agent-a"),
        _tender(9, status=TenderStatus.AWAITING_ASSIGNMENT, organisation_id="org-b"),
    ]
    batches[4].messages += [
        _message("q-05", 1, Role.INSURER, "r-q-05"),
        _message("q-05", 2, Role.BROKER),
        _message("q-05", 3, Role.BACKOFFICE),
    ]
    batches[0].messages.append(_message("q-01", 1, Role.INSURER))
    with engine.begin() as connection:
        for batch in batches:
            apply_batch(connection, batch, [], T0)
    with make_session_factory(engine)() as session:
        yield session


def _ids(page) -> list[str]:
    return [row.tender_id for row in page.rows]


def test_open_view_lists_every_open_tender_newest_first(session: Session) -> None:
    page = list_queue(session, organisation_ids=["org-a"])

    assert _ids(page) == ["q-07", "q-06", "q-05", "q-04", "q-03", "q-02", "q-01"]
    marked = {row.tender_id for row in page.rows if row.self_service}
    assert marked == {"q-01", "q-06", "q-07"}


def test_foreign_organisations_stay_out(session: Session) -> None:
    mine = list_queue(session, QueueView.UNASSIGNED, organisation_ids=["org-a"])
    everyone = list_queue(session, QueueView.UNASSIGNED)
    nobody = list_queue(session, organisation_ids=[])

    assert _ids(mine) == ["q-02"]
    assert _ids(everyone) == ["q-09", "q-02"]
    assert nobody.rows == []


def test_broker_action_required_agrees_with_the_status(session: Session) -> None:
    page = list_queue(session, QueueView.BROKER_ACTION_REQUIRED)
    every_row = list_queue(session).rows

    assert _ids(page) == ["q-07", "q-04"]
    for row in every_row:
        expected = row.status is TenderStatus.BROKER_ACTION_REQUIRED
        assert row.broker_action_required is expected, row.tender_id


def test_unread_counts_follow_the_backoffice_marker(session: Session) -> None:
    before = list_queue(session, QueueView.UNREAD)
    reads.mark_read(
        session, "q-05", reads.Party.BACKOFFICE, "agent-c", now=T0 + timedelta(days=1)
    )
    halfway = list_queue(session, QueueView.UNREAD)
    reads.mark_read(session, "q-05", reads.Party.BACKOFFICE, "agent-c")
    after = list_queue(session, QueueView.UNREAD)

    assert [(r.tender_id, r.unread) for r in before.rows] == [("q-05", 2)]
    assert [(r.tender_id, r.unread) for r in halfway.rows] == [("q-05", 2)]
    assert after.rows == []
    assert reads.count_unread(session, "q-05", reads.Party.BROKER) == 1
    assert reads.count_unread(session, "q-01", reads.Party.BROKER) == 1
    assert reads.count_unread(session, "q-05", reads.Party.INSURER, "r-q-05") == 0


def test_search_matches_a_tender_id_prefix_literally(session: Session) -> None:
    assert _ids(list_queue(session, search="q-0")) == [
        "q-09", "q-07", "q-06", "q-05", "q-04", "q-03", "q-02", "q-01",
    ]  # fmt: skip
    assert _ids(list_queue(session, search="q-05")) == ["q-05"]
    assert _ids(list_queue(session, search="q_0")) == []
    assert _ids(list_queue(session, search="%")) == []


@pytest.mark.parametrize("descending", [False, True])
def test_assignee_sort_puts_unassigned_first(
    session: Session, descending: bool
) -> None:
    page = list_queue(
        session,
        organisation_ids=["org-a"],
        sort=QueueSort.ASSIGNEE,
        descending=descending,
    )

    assignees = [row.assignee_id for row in page.rows]
    assert assignees[:4] == [None] * 4
    named = ["agent-a", "agent-b", "agent-c"]
    assert assignees[4:] == (named[::-1] if descending else named)


@pytest.mark.parametrize(
    ("sort", "descending"),
    [(s, d) for s in QueueSort for d in (False, True)],
)
def test_pages_walk_the_queue_once(
    session: Session, sort: QueueSort, descending: bool
) -> None:
    whole = _ids(list_queue(session, sort=sort, descending=descending))
    walked, cursor = [], None
    while True:
        page = list_queue(
            session, sort=sort, descending=descending, limit=3, cursor=cursor
        )
        walked += _ids(page)
        cursor = page.next_cursor
        if cursor is None:
            break

    assert walked == whole
    assert len(whole) == 8


def test_submitted_at_sort_and_foreign_cursor(session: Session) -> None:
    page = list_queue(session, sort=QueueSort.SUBMITTED_AT, descending=False, limit=2)

    assert _ids(page) == ["q-09", "q-07"]
    with pytest.raises(queries.InvalidCursor):
        list_queue(session, sort=QueueSort.ASSIGNEE, cursor=page.next_cursor)
