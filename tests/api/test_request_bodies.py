"""Request bodies at the edge: what the history payloads would take silently
(unknown fields, control characters) is refused with a 422 naming the field."""

from __future__ import annotations

import pytest

from tests.api.builders import (
    access_tokens,
    assert_problem,
    bearer,
    broker,
    invite,
    quote_body,
    set_policy,
    start_tender,
    tender_form,
)
from tests.fixtures.api import ApiStack


def _fields(problem: dict) -> dict[str, str]:
    return {error["field"]: error["type"] for error in problem["errors"]}


async def _insurer_request(api: ApiStack) -> tuple[str, str, dict[str, str]]:
    await set_policy(api, "SELF_SERVICE")
    tender_id = (await start_tender(api, broker(api)))["tender_id"]
    added = await api.http.post(
        f"/tenders/{tender_id}/insurers",
        json={"insurers": [invite("allsafe")]},
        headers=broker(api),
    )
    assert added.status_code == 200, added.text
    request_id, token = next(iter(access_tokens(api, tender_id).items()))
    return tender_id, request_id, bearer(token)


@pytest.mark.parametrize("fresh_database_url", ["postgresql"], indirect=True)
async def test_control_characters_are_refused_in_every_body(api: ApiStack) -> None:
    form = tender_form(trade="Bäckerei \u0000 null")
    form["policyholder"]["address"]["city"] = "M\u001bünchen"
    form["risk_answers"][0]["answer"] = "ja\r\n\tmit Absaugung"

    started = await api.http.post("/tenders", json=form, headers=broker(api))
    tender_id, request_id, link = await _insurer_request(api)
    message = await api.http.post(
        f"/insurer/requests/{request_id}/messages",
        json={"text": "Frage\u0000?"},
        headers=link,
    )
    still_open = await api.http.post(
        f"/insurer/requests/{request_id}/messages",
        json={"text": "Frage?\nMit Zeilenumbruch\tund Tab."},
        headers=link,
    )

    problem = assert_problem(started, 422, "validation_error")
    assert _fields(problem) == {
        "body.trade": "control_character",
        "body.policyholder.address.city": "control_character",
    }
    assert "\\u0000" not in started.text
    assert _fields(assert_problem(message, 422, "validation_error")) == {
        "body.text": "control_character"
    }
    assert still_open.status_code == 201, still_open.text
    listed = await api.http.get(f"/tenders/{tender_id}", headers=broker(api))
    assert listed.status_code == 200


@pytest.mark.parametrize("fresh_database_url", ["sqlite"], indirect=True)
async def test_unknown_fields_are_refused_at_every_depth(api: ApiStack) -> None:
    form = tender_form()
    form["policyholder"]["contact_mail"] = "x@example.org"
    form["desired_cover"]["sums_insured"][0]["foo"] = 1
    tender_id, request_id, link = await _insurer_request(api)
    quote = quote_body()
    quote["sums_insured"][0]["foo"] = 1

    started = await api.http.post("/tenders", json=form, headers=broker(api))
    quoted = await api.http.post(
        f"/insurer/requests/{request_id}/quote", json=quote, headers=link
    )
    invited = await api.http.post(
        f"/tenders/{tender_id}/insurers",
        json={"insurers": [{**invite("nordhafen"), "fax": "0"}]},
        headers=broker(api),
    )
    valid = await api.http.post(
        f"/insurer/requests/{request_id}/quote", json=quote_body(), headers=link
    )

    assert _fields(assert_problem(started, 422, "validation_error")) == {
        "body.policyholder.contact_mail": "extra_forbidden",
        "body.desired_cover.sums_insured.0.foo": "extra_forbidden",
    }
    assert _fields(assert_problem(quoted, 422, "validation_error")) == {
        "body.sums_insured.0.foo": "extra_forbidden"
    }
    assert _fields(assert_problem(invited, 422, "validation_error")) == {
        "body.insurers.0.fax": "extra_forbidden"
    }
    assert valid.status_code in (200, 201), valid.text
