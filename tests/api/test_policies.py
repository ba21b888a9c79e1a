"""Administrators set the processing mode; brokers see their options."""

from __future__ import annotations

import pytest

from tests.api.builders import ORG, assert_problem, broker, set_policy, tender_form

pytestmark = pytest.mark.parametrize("fresh_database_url", ["sqlite"], indirect=True)


async def test_admin_sets_default_and_line_policies(api) -> None:
    await set_policy(api, "BACKOFFICE", backoffice_email="bo@pool.example")
    line = await set_policy(
        api,
        "SELF_SERVICE",
        line_of_business="cyber",
        timings={"response_business_days": 5},
    )

    listed = await api.http.get(
        "/admin/policies",
        params={"organisation_id": ORG},
        headers=api.auth("admin", "a"),
    )

    assert line["line_of_business"] == "cyber"
    assert line["timings"]["response_business_days"] == 5
    assert line["updated_by"] == "root"
    assert [(p["line_of_business"], p["value"]) for p in listed.json()] == [
        (None, "BACKOFFICE"),
        ("cyber", "SELF_SERVICE"),
    ]


async def test_options_follow_the_most_specific_policy(api) -> None:
    await set_policy(api, "BACKOFFICE")
    await set_policy(api, "BROKER_CHOICE", line_of_business="cyber")

    default = await api.http.get(
        "/tenders/options",
        params={"line_of_business": "business_liability"},
        headers=broker(api),
    )
    cyber = await api.http.get(
        "/tenders/options", params={"line_of_business": "cyber"}, headers=broker(api)
    )

    assert default.status_code == 200
    assert default.json()["modes"] == ["BACKOFFICE"]
    assert cyber.json()["policy"] == "BROKER_CHOICE"
    assert cyber.json()["modes"] == ["SELF_SERVICE", "BACKOFFICE"]


async def test_only_admins_set_policies(api) -> None:
    response = await api.http.put(
        f"/admin/policies/{ORG}", json={"value": "BACKOFFICE"}, headers=broker(api)
    )

    assert_problem(response, 403, "forbidden")


async def test_policy_body_rejects_unknown_fields(api) -> None:
    response = await api.http.put(
        f"/admin/policies/{ORG}",
        json={"value": "BACKOFFICE", "colour": "blue"},
        headers=api.auth("admin", "root"),
    )

    assert_problem(response, 422, "validation_error")


async def test_mode_the_policy_forbids_is_refused(api) -> None:
    await set_policy(api, "SELF_SERVICE")

    response = await api.http.post(
        "/tenders",
        json=tender_form(processing_mode="BACKOFFICE"),
        headers=broker(api),
    )

    problem = assert_problem(response, 422, "mode_not_allowed")
    assert "SELF_SERVICE" in problem["detail"]
