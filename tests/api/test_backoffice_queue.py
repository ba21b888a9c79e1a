"""The backoffice work queue and unread messages over real HTTP."""

from __future__ import annotations

import pytest

from tests.api.builders import (
    ORG,
    OTHER_ORG,
    access_tokens,
    assert_problem,
    backoffice,
    bearer,
    broker,
    invite,
    quote_body,
    set_policy,
    start_tender,
)
from tests.fixtures.api import ApiStack

pytestmark = pytest.mark.parametrize("fresh_database_url", ["sqlite"], indirect=True)


async def _quoted_and_released(api: ApiStack, tender_id: str) -> str:
    base = f"/tenders/{tender_id}"
    agent = backoffice(api)
    await api.http.post(f"{base}/claim", headers=agent)
    added = await api.http.post(
        f"{base}/insurers", json={"insurers": [invite("allsafe")]}, headers=agent
    )
    [request] = added.json()["requests"]
    quoted = await api.http.post(
        f"{base}/requests/{request['request_id']}/quotes",
        json=quote_body(),
        headers=agent,
    )
    assert quoted.status_code == 200, quoted.text
    released = await api.http.post(f"{base}/quotes/release", headers=agent)
    assert released.status_code == 200, released.text
    return request["request_id"]


async def _queue(api: ApiStack, headers, **params) -> dict:
    response = await api.http.get("/backoffice/queue", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _ids(page: dict) -> list[str]:
    return [item["tender_id"] for item in page["items"]]


async def test_queue_views_show_own_organisations_by_view(api: ApiStack) -> None:
    await set_policy(api, "BROKER_CHOICE")
    await set_policy(api, "BACKOFFICE", org=OTHER_ORG)
    unassigned = await start_tender(api, broker(api), processing_mode="BACKOFFICE")
    action = await start_tender(api, broker(api), processing_mode="BACKOFFICE")
    self_service = await start_tender(api, broker(api), processing_mode="SELF_SERVICE")
    foreign = await start_tender(api, broker(api, org=OTHER_ORG))
    await _quoted_and_released(api, action["tender_id"])
    agent = backoffice(api)

    everything = await _queue(api, agent)
    by_admin = await _queue(api, api.auth("admin", "root"), view="unassigned")
    only_unassigned = await _queue(api, agent, view="unassigned")
    needs_broker = await _queue(api, agent, view="broker_action_required")
    detail = await api.http.get(f"/tenders/{action['tender_id']}", headers=agent)

    mine = {unassigned["tender_id"], action["tender_id"], self_service["tender_id"]}
    assert set(_ids(everything)) == mine
    assert foreign["tender_id"] in _ids(by_admin)
    assert _ids(only_unassigned) == [unassigned["tender_id"]]
    assert _ids(needs_broker) == [action["tender_id"]]
    assert detail.json()["tender"]["status"] == "BROKER_ACTION_REQUIRED"
    assert detail.json()["live"]["status"] == "BROKER_ACTION_REQUIRED"
    for item in everything["items"]:
        derived = item["status"] == "BROKER_ACTION_REQUIRED"
        assert item["broker_action_required"] is derived
        assert item["self_service"] is (item["tender_id"] == self_service["tender_id"])
        assert item["broker"] == {"id": "anna", "name": "Anna Beispiel"}
    claimed = next(
        i for i in everything["items"] if i["tender_id"] in _ids(needs_broker)
    )
    assert claimed["assignee"]["id"] == "bo-1"


async def test_queue_search_sort_and_pages(api: ApiStack) -> None:
    await set_policy(api, "BACKOFFICE")
    started = [(await start_tender(api, broker(api)))["tender_id"] for _ in range(3)]
    await api.http.post(f"/tenders/{started[1]}/claim", headers=backoffice(api))
    agent = backoffice(api)

    found = await _queue(api, agent, search=started[2][:13])
    for sort in ("assignee", "-assignee"):
        ordered = await _queue(api, agent, sort=sort)
        assert _ids(ordered)[-1] == started[1]
    oldest_first = await _queue(api, agent, sort="submitted_at")
    walked, cursor = [], None
    while True:
        params = {"limit": 1, "sort": "submitted_at"}
        page = await _queue(
            api, agent, **params, **({"cursor": cursor} if cursor else {})
        )
        walked += _ids(page)
        cursor = page["next_cursor"]
        if cursor is None:
            break
    broken = await api.http.get(
        "/backoffice/queue",
        params={"sort": "assignee", "cursor": "bm90LWEtY3Vyc29y"},
        headers=agent,
    )

    assert _ids(found) == [started[2]]
    assert _ids(oldest_first) == started
    assert walked == started
    assert_problem(broken, 422, "validation_error")


async def test_only_the_backoffice_reads_the_queue(api: ApiStack) -> None:
    as_broker = await api.http.get("/backoffice/queue", headers=broker(api))
    as_insurer = await api.http.get(
        "/backoffice/queue", headers=api.auth("insurer", "uw-1", insurer_id="allsafe")
    )
    unknown_view = await api.http.get(
        "/backoffice/queue", params={"view": "all"}, headers=backoffice(api)
    )

    assert_problem(as_broker, 403, "forbidden")
    assert_problem(as_insurer, 403, "forbidden")
    assert_problem(unknown_view, 422, "validation_error")


async def test_unread_counts_move_with_messages_and_reading(api: ApiStack) -> None:
    await set_policy(api, "BACKOFFICE")
    tender_id = (await start_tender(api, broker(api)))["tender_id"]
    base = f"/tenders/{tender_id}"
    agent = backoffice(api)
    request_id = await _quoted_and_released(api, tender_id)
    link = bearer(access_tokens(api, tender_id)[request_id])

    quiet = await _queue(api, agent, view="unread")
    await api.http.post(
        f"{base}/messages", json={"text": "Stand?"}, headers=broker(api)
    )
    asked = await api.http.post(
        f"/insurer/requests/{request_id}/messages",
        json={"text": "Gibt es Vorschäden?"},
        headers=link,
    )
    assert asked.status_code == 201, asked.text
    unread = await _queue(api, agent, view="unread")
    agent_detail = (await api.http.get(base, headers=agent)).json()
    flags = [
        m["unread"]
        for m in (await api.http.get(f"{base}/messages", headers=agent)).json()
    ]
    marked = await api.http.post(f"{base}/messages/read", headers=agent)
    after = await _queue(api, agent, view="unread")

    assert quiet["items"] == []
    assert [i["unread"] for i in unread["items"]] == [2]
    assert agent_detail["unread_messages"] == 2
    assert flags == [True, True]
    assert marked.status_code == 200, marked.text
    assert marked.json()["party"] == "backoffice"
    assert marked.json()["unread"] == 0
    assert after["items"] == []

    await api.http.post(
        f"{base}/messages",
        json={"text": "Keine Vorschäden.", "request_id": request_id},
        headers=agent,
    )
    await api.http.post(f"{base}/messages", json={"text": "Läuft."}, headers=agent)
    thread = (
        await api.http.get(f"/insurer/requests/{request_id}/messages", headers=link)
    ).json()
    broker_detail = (await api.http.get(base, headers=broker(api))).json()
    insurer_read = await api.http.post(
        f"/insurer/requests/{request_id}/messages/read", headers=link
    )
    foreign_read = await api.http.post(
        f"{base}/messages/read", headers=broker(api, org=OTHER_ORG)
    )
    thread_after = (
        await api.http.get(f"/insurer/requests/{request_id}/messages", headers=link)
    ).json()

    assert [m["unread"] for m in thread] == [False, True]
    assert broker_detail["unread_messages"] == 1
    assert insurer_read.status_code == 200, insurer_read.text
    assert insurer_read.json()["unread"] == 0
    assert not any(m["unread"] for m in thread_after)
    assert_problem(foreign_read, 404, "tender_not_found")
    assert ORG in agent_detail["tender"]["organisation_id"]
