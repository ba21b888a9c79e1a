"""Whole tenders through the API: self-service and backoffice, to conclusion."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from tests.api.builders import (
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


def request_ids(detail: dict) -> dict[str, str]:
    return {r["insurer_id"]: r["request_id"] for r in detail["requests"]}


async def test_self_service_tender_runs_to_conclusion(api: ApiStack) -> None:
    await set_policy(api, "SELF_SERVICE")
    tender_id = (await start_tender(api, broker(api)))["tender_id"]
    base = f"/tenders/{tender_id}"

    added = await api.http.post(
        f"{base}/insurers",
        json={"insurers": [invite("allsafe"), invite("nordhafen")]},
        headers=broker(api),
    )
    assert added.status_code == 200, added.text
    requests = request_ids(added.json())
    tokens = access_tokens(api, tender_id)
    allsafe_token = tokens[requests["allsafe"]]

    opened = await api.http.get(f"/insurer/access/{allsafe_token}")
    assert opened.status_code == 200, opened.text
    assert opened.json()["tender"]["line_of_business"] == "business_liability"

    quoted = await api.http.post(
        f"/insurer/requests/{requests['allsafe']}/quote",
        json=quote_body(),
        headers=bearer(allsafe_token),
    )
    assert quoted.status_code == 200, quoted.text
    assert quoted.json()["status"] == "QUOTED"
    declined = await api.http.post(
        f"/insurer/requests/{requests['nordhafen']}/decline",
        json={"reason_code": "TRADE_NOT_WRITTEN"},
        headers=bearer(tokens[requests["nordhafen"]]),
    )
    assert declined.status_code == 200, declined.text

    detail = (await api.http.get(base, headers=broker(api))).json()
    assert detail["tender"]["status"] == "BROKER_ACTION_REQUIRED"
    [quote] = detail["quotes"]
    assert quote["released"] is True

    accepted = await api.http.post(
        f"{base}/quotes/{quote['quote_id']}/accept", headers=broker(api)
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["tender"]["status"] == "CONCLUDED"
    assert accepted.json()["tender"]["accepted_quote_id"] == quote["quote_id"]

    late = await api.http.post(
        f"{base}/messages", json={"text": "Noch eine Frage"}, headers=broker(api)
    )
    assert_problem(late, 409, "tender_closed")
    late_insurer = await api.http.post(
        f"/insurer/requests/{requests['allsafe']}/messages",
        json={"text": "Danke"},
        headers=bearer(allsafe_token),
    )
    assert_problem(late_insurer, 409, "tender_closed")


async def test_backoffice_runs_the_tender_for_the_broker(api: ApiStack) -> None:
    await set_policy(api, "BACKOFFICE", backoffice_email="bo@pool.example")
    tender_id = (await start_tender(api, broker(api)))["tender_id"]
    base = f"/tenders/{tender_id}"
    agent = backoffice(api)

    claimed = await api.http.post(f"{base}/claim", headers=agent)
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["tender"]["assignee_id"] == "bo-1"
    assert claimed.json()["tender"]["status"] == "IN_REVIEW"
    second = await api.http.post(f"{base}/claim", headers=backoffice(api, sub="bo-2"))
    assert_problem(second, 409, "tender_already_claimed")

    added = await api.http.post(
        f"{base}/insurers", json={"insurers": [invite("allsafe")]}, headers=agent
    )
    assert added.status_code == 200, added.text
    request_id = request_ids(added.json())["allsafe"]

    on_behalf = await api.http.post(
        f"{base}/requests/{request_id}/quotes", json=quote_body(), headers=agent
    )
    assert on_behalf.status_code == 200, on_behalf.text
    [quote] = on_behalf.json()["quotes"]
    assert quote["on_behalf_of_insurer"] is True
    assert quote["released"] is False

    before_release = (await api.http.get(base, headers=broker(api))).json()
    assert before_release["quotes"] == []
    assert before_release["live"] is None or before_release["live"]["quotes"] == []

    released = await api.http.post(f"{base}/quotes/release", headers=agent)
    assert released.status_code == 200, released.text
    after_release = (await api.http.get(base, headers=broker(api))).json()
    assert [q["quote_id"] for q in after_release["quotes"]] == [quote["quote_id"]]

    unknown = await api.http.post(
        f"{base}/quotes/no-such-quote/accept", headers=broker(api)
    )
    assert_problem(unknown, 409, "quote_not_found")

    accepted = await api.http.post(
        f"{base}/quotes/{quote['quote_id']}/accept", headers=broker(api)
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["tender"]["status"] == "CONCLUDED"

    audit = await api.http.get(f"{base}/audit", headers=agent)
    emails = await api.http.get(f"{base}/emails", headers=agent)
    assert audit.status_code == 200 and len(audit.json()) >= 5
    kinds = {e["kind"] for e in emails.json()}
    assert "insurer_invitation" in kinds
    assert all(
        "/insurer/access/" not in e["body"] or "…" in e["body"] for e in emails.json()
    )


@pytest.mark.parametrize("fresh_database_url", ["sqlite"], indirect=True)
async def test_insurer_sees_only_its_own_request(api: ApiStack) -> None:
    await set_policy(api, "SELF_SERVICE")
    tender_id = (await start_tender(api, broker(api)))["tender_id"]
    added = await api.http.post(
        f"/tenders/{tender_id}/insurers",
        json={"insurers": [invite("allsafe"), invite("nordhafen")]},
        headers=broker(api),
    )
    requests = request_ids(added.json())
    tokens = access_tokens(api, tender_id)
    allsafe = bearer(tokens[requests["allsafe"]])
    allsafe_user = api.auth("insurer", "uw-1", insurer_id="allsafe")

    own = await api.http.get(
        f"/insurer/requests/{requests['allsafe']}", headers=allsafe
    )
    other = await api.http.get(
        f"/insurer/requests/{requests['nordhafen']}", headers=allsafe
    )
    other_quote = await api.http.post(
        f"/insurer/requests/{requests['nordhafen']}/quote",
        json=quote_body(),
        headers=allsafe,
    )
    listed_by_link = await api.http.get("/insurer/requests", headers=allsafe)
    listed_by_user = await api.http.get("/insurer/requests", headers=allsafe_user)
    tender_view = await api.http.get(f"/tenders/{tender_id}", headers=allsafe)

    assert own.status_code == 200
    reasons = own.json()["tender"]["routing_out_reasons"]
    assert [r["insurer_id"] for r in reasons] == ["allsafe"]
    assert "nordhafen" not in own.text
    assert_problem(other, 404, "not_found")
    assert_problem(other_quote, 404, "not_found")
    assert [r["request_id"] for r in listed_by_link.json()] == [requests["allsafe"]]
    assert [r["request_id"] for r in listed_by_user.json()] == [requests["allsafe"]]
    assert_problem(tender_view, 403, "forbidden")


@pytest.mark.parametrize("fresh_database_url", ["sqlite"], indirect=True)
async def test_insurer_question_and_answer_share_a_thread(api: ApiStack) -> None:
    await set_policy(api, "SELF_SERVICE")
    tender_id = (await start_tender(api, broker(api)))["tender_id"]
    added = await api.http.post(
        f"/tenders/{tender_id}/insurers",
        json={"insurers": [invite("allsafe")]},
        headers=broker(api),
    )
    request_id = request_ids(added.json())["allsafe"]
    link = bearer(access_tokens(api, tender_id)[request_id])

    asked = await api.http.post(
        f"/insurer/requests/{request_id}/messages",
        json={"text": "Gibt es eine Absauganlage?"},
        headers=link,
    )
    answered = await api.http.post(
        f"/tenders/{tender_id}/messages",
        json={"text": "Ja, seit 2021.", "request_id": request_id},
        headers=broker(api),
    )
    thread = await api.http.get(
        f"/insurer/requests/{request_id}/messages", headers=link
    )

    assert asked.status_code == 201, asked.text
    assert answered.status_code == 201, answered.text
    assert [m["text"] for m in thread.json()] == [
        "Gibt es eine Absauganlage?",
        "Ja, seit 2021.",
    ]


@pytest.mark.parametrize("fresh_database_url", ["sqlite"], indirect=True)
async def test_broker_and_backoffice_talk_apart_from_insurer_threads(
    api: ApiStack,
) -> None:
    await set_policy(api, "BACKOFFICE")
    tender_id = (await start_tender(api, broker(api)))["tender_id"]
    base = f"/tenders/{tender_id}"
    agent = backoffice(api)
    claim_key = {"Idempotency-Key": "claim-once"}
    await api.http.post(f"{base}/claim", headers={**agent, **claim_key})
    replayed = await api.http.post(f"{base}/claim", headers={**agent, **claim_key})
    added = await api.http.post(
        f"{base}/insurers", json={"insurers": [invite("allsafe")]}, headers=agent
    )
    request_id = request_ids(added.json())["allsafe"]

    to_backoffice = await api.http.post(
        f"{base}/messages", json={"text": "Bitte bis Freitag."}, headers=broker(api)
    )
    to_insurer = await api.http.post(
        f"{base}/messages",
        json={"text": "Unterlagen anbei.", "request_id": request_id},
        headers=agent,
    )
    seen_by_broker = await api.http.get(f"{base}/messages", headers=broker(api))
    seen_by_agent = await api.http.get(f"{base}/messages", headers=agent)

    assert replayed.status_code == 200, replayed.text
    assert to_backoffice.status_code == 201, to_backoffice.text
    assert to_insurer.status_code == 201, to_insurer.text
    assert [m["text"] for m in seen_by_broker.json()] == ["Bitte bis Freitag."]
    assert len(seen_by_agent.json()) == 2


@pytest.mark.parametrize("fresh_database_url", ["sqlite"], indirect=True)
async def test_opened_link_and_cancellation_reach_the_insurer(api: ApiStack) -> None:
    await set_policy(api, "SELF_SERVICE")
    tender_id = (await start_tender(api, broker(api)))["tender_id"]
    added = await api.http.post(
        f"/tenders/{tender_id}/insurers",
        json={"insurers": [invite("allsafe")]},
        headers=broker(api),
    )
    request_id = request_ids(added.json())["allsafe"]
    token = access_tokens(api, tender_id)[request_id]

    await api.http.get(f"/insurer/access/{token}")
    async with asyncio.timeout(10):
        while (
            await api.http.get(f"/insurer/requests/{request_id}", headers=bearer(token))
        ).json()["status"] != "OPENED":
            await asyncio.sleep(0.05)
    cancelled = await api.http.post(
        f"/tenders/{tender_id}/cancel",
        json={"reason": "Kunde hat anderweitig gedeckt"},
        headers=broker(api),
    )
    after = await api.http.get(f"/insurer/access/{token}")

    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["tender"]["status"] == "CANCELLED"
    assert after.json()["status"] == "WITHDRAWN"


async def test_handler_extends_an_insurers_deadline(api: ApiStack) -> None:
    await set_policy(api, "SELF_SERVICE")
    tender_id = (await start_tender(api, broker(api)))["tender_id"]
    added = await api.http.post(
        f"/tenders/{tender_id}/insurers",
        json={"insurers": [invite("allsafe")]},
        headers=broker(api),
    )
    [request] = added.json()["requests"]
    path = f"/tenders/{tender_id}/requests/{request['request_id']}/deadline"

    same = await api.http.post(
        path, json={"deadline": request["deadline"]}, headers=broker(api)
    )
    naive = await api.http.post(
        path, json={"deadline": "2031-01-01T12:00:00"}, headers=broker(api)
    )
    later = "2099-01-01T12:00:00+00:00"
    too_far = await api.http.post(path, json={"deadline": later}, headers=broker(api))

    assert_problem(same, 409, "deadline_not_later")
    assert_problem(naive, 422, "validation_error")
    assert_problem(too_far, 409, "deadline_too_far")

    week_later = datetime.fromisoformat(request["deadline"]) + timedelta(days=7)
    moved = await api.http.post(
        path, json={"deadline": week_later.isoformat()}, headers=broker(api)
    )
    assert moved.status_code == 200, moved.text
    [after] = moved.json()["requests"]
    assert datetime.fromisoformat(after["deadline"]) == week_later
    audit = await api.http.get(f"/tenders/{tender_id}/audit", headers=broker(api))
    assert "deadline_extended" in [entry["action"] for entry in audit.json()]


async def test_agent_hands_a_tender_on_or_back_to_the_queue(api: ApiStack) -> None:
    await set_policy(api, "BACKOFFICE", backoffice_email="bo@pool.example")
    tender_id = (await start_tender(api, broker(api)))["tender_id"]
    base = f"/tenders/{tender_id}"
    first, second = backoffice(api), backoffice(api, sub="bo-2")

    unclaimed = await api.http.post(
        f"{base}/assignee", json={"user_id": "bo-2"}, headers=first
    )
    assert_problem(unclaimed, 409, "tender_not_claimed")
    await api.http.post(f"{base}/claim", headers=first)
    by_broker = await api.http.post(
        f"{base}/assignee", json={"user_id": "bo-2"}, headers=broker(api)
    )
    assert_problem(by_broker, 403, "forbidden")

    handed = await api.http.post(
        f"{base}/assignee", json={"user_id": "bo-2", "name": "Berta"}, headers=first
    )
    assert handed.status_code == 200, handed.text
    assert handed.json()["tender"]["assignee_id"] == "bo-2"
    stale = await api.http.post(
        f"{base}/insurers", json={"insurers": [invite("allsafe")]}, headers=first
    )
    assert_problem(stale, 409, "not_assignee")

    released = await api.http.post(
        f"{base}/assignee", json={"user_id": None}, headers=second
    )
    assert released.status_code == 200, released.text
    assert released.json()["tender"]["assignee_id"] is None
    assert released.json()["tender"]["status"] == "AWAITING_ASSIGNMENT"
    audit = await api.http.get(f"{base}/audit", headers=second)
    actions = [entry["action"] for entry in audit.json()]
    assert actions.count("tender_reassigned") == 1
    assert actions.count("tender_unclaimed") == 1
