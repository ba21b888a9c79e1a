"""Starting, reading and listing tenders, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest

from tests.api.builders import (
    OTHER_ORG,
    assert_problem,
    backoffice,
    broker,
    set_policy,
    start_tender,
    tender_form,
)
from tests.fixtures.api import ApiStack


async def test_broker_starts_a_tender_and_reads_it_back(api: ApiStack) -> None:
    await set_policy(api, "BACKOFFICE")

    response = await api.http.post("/tenders", json=tender_form(), headers=broker(api))
    started = response.json()
    tender_id = started["tender_id"]
    read = await api.http.get(f"/tenders/{tender_id}", headers=broker(api))
    listed = await api.http.get("/tenders", headers=broker(api))

    assert response.status_code == 201
    assert response.headers["location"] == f"/tenders/{tender_id}"
    assert started == {
        "tender_id": tender_id,
        "status": "AWAITING_ASSIGNMENT",
        "mode": "BACKOFFICE",
        "policy": "BACKOFFICE",
    }
    assert read.status_code == 200
    body = read.json()
    assert body["tender"]["status"] == "AWAITING_ASSIGNMENT"
    assert body["tender"]["organisation_id"] == "acme-makler"
    assert body["submission"]["policyholder"]["name"] == "Holzwerk Huber GmbH"
    assert body["requests"] == [] and body["quotes"] == []
    assert body["live"]["status"] == "AWAITING_ASSIGNMENT"
    assert [t["tender_id"] for t in listed.json()["items"]] == [tender_id]


@pytest.mark.parametrize("fresh_database_url", ["sqlite"], indirect=True)
async def test_broker_choice_without_a_mode_awaits_the_choice(api: ApiStack) -> None:
    await set_policy(api, "BROKER_CHOICE")

    started = await start_tender(api, broker(api))
    chosen = await api.http.post(
        f"/tenders/{started['tender_id']}/mode",
        json={"mode": "SELF_SERVICE"},
        headers=broker(api),
    )
    again = await api.http.post(
        f"/tenders/{started['tender_id']}/mode",
        json={"mode": "BACKOFFICE"},
        headers=broker(api),
    )

    assert started["status"] == "AWAITING_MODE_CHOICE"
    assert started["mode"] is None
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["tender"]["mode"] == "SELF_SERVICE"
    assert_problem(again, 409, "mode_already_fixed")


@pytest.mark.parametrize("fresh_database_url", ["sqlite"], indirect=True)
async def test_idempotency_key_maps_a_retry_to_the_same_tender(api: ApiStack) -> None:
    headers = {**broker(api), "Idempotency-Key": str(uuid.uuid4())}

    first = await api.http.post("/tenders", json=tender_form(), headers=headers)
    retry = await api.http.post("/tenders", json=tender_form(), headers=headers)

    assert first.status_code == 201
    assert_problem(retry, 409, "tender_already_started")
    assert retry.headers["location"] == first.headers["location"]


@pytest.mark.parametrize("fresh_database_url", ["sqlite"], indirect=True)
async def test_unknown_and_foreign_tenders_are_not_found(api: ApiStack) -> None:
    mine = await start_tender(api, broker(api))
    stranger = broker(api, org=OTHER_ORG, sub="otto")

    unknown = await api.http.get(f"/tenders/{uuid.uuid4()}", headers=broker(api))
    foreign = await api.http.get(f"/tenders/{mine['tender_id']}", headers=stranger)
    foreign_action = await api.http.post(
        f"/tenders/{mine['tender_id']}/cancel", headers=stranger
    )
    foreign_list = await api.http.get("/tenders", headers=stranger)

    assert_problem(unknown, 404, "tender_not_found")
    assert_problem(foreign, 404, "tender_not_found")
    assert_problem(foreign_action, 404, "tender_not_found")
    assert foreign.json()["detail"] == unknown.json()["detail"]
    assert foreign_list.json()["items"] == []


@pytest.mark.parametrize("fresh_database_url", ["sqlite"], indirect=True)
async def test_list_filters_by_role_mode_and_assignment(api: ApiStack) -> None:
    await set_policy(api, "BROKER_CHOICE")
    self_service = await start_tender(api, broker(api), processing_mode="SELF_SERVICE")
    backoffice_run = await start_tender(api, broker(api), processing_mode="BACKOFFICE")
    await start_tender(api, broker(api, org=OTHER_ORG, sub="otto"))
    agent = backoffice(api)

    everything = await api.http.get("/tenders", headers=agent)
    unassigned = await api.http.get(
        "/tenders", params={"mode": "BACKOFFICE", "unassigned": "true"}, headers=agent
    )
    as_ops = await api.http.get("/tenders", headers=api.auth("ops", "ops-1"))
    first_page = await api.http.get(
        "/tenders", params={"limit": 1, "sort": "submitted_at"}, headers=agent
    )
    second_page = await api.http.get(
        "/tenders",
        params={
            "limit": 1,
            "sort": "submitted_at",
            "cursor": first_page.json()["next_cursor"],
        },
        headers=agent,
    )
    too_many = await api.http.get("/tenders", params={"limit": 101}, headers=agent)

    ids = {t["tender_id"]: t["mode"] for t in everything.json()["items"]}
    assert ids == {
        self_service["tender_id"]: "SELF_SERVICE",
        backoffice_run["tender_id"]: "BACKOFFICE",
    }
    assert [t["tender_id"] for t in unassigned.json()["items"]] == [
        backoffice_run["tender_id"]
    ]
    assert len(as_ops.json()["items"]) == 3
    assert [t["tender_id"] for t in first_page.json()["items"]] == [
        self_service["tender_id"]
    ]
    assert [t["tender_id"] for t in second_page.json()["items"]] == [
        backoffice_run["tender_id"]
    ]
    assert_problem(too_many, 422, "validation_error")


@pytest.mark.parametrize("fresh_database_url", ["sqlite"], indirect=True)
async def test_time_skipping_stack_serves_the_same_api(
    time_skipping_api: ApiStack,
) -> None:
    stack = time_skipping_api
    await set_policy(stack, "BACKOFFICE")

    started = await start_tender(stack, broker(stack))
    read = await stack.http.get(
        f"/tenders/{started['tender_id']}", headers=broker(stack)
    )

    assert read.status_code == 200
    assert read.json()["tender"]["status"] == "AWAITING_ASSIGNMENT"


@pytest.mark.parametrize("fresh_database_url", ["sqlite"], indirect=True)
async def test_unclaimed_tender_escalates_after_skipped_business_days(
    time_skipping_api: ApiStack,
) -> None:
    stack = time_skipping_api
    await set_policy(stack, "BACKOFFICE", backoffice_email="bo@pool.example")
    tender_id = (await start_tender(stack, broker(stack)))["tender_id"]

    await stack.env.sleep(timedelta(days=5))

    async with asyncio.timeout(10):
        while True:
            audit = await stack.http.get(
                f"/tenders/{tender_id}/audit", headers=backoffice(stack)
            )
            if "unclaimed_escalated" in {e["action"] for e in audit.json()}:
                break
            await asyncio.sleep(0.1)
    emails = await stack.http.get(
        f"/tenders/{tender_id}/emails", headers=backoffice(stack)
    )
    assert "tender_unclaimed" in {e["kind"] for e in emails.json()}
