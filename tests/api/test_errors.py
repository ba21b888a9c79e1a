"""Every error is application/problem+json with a stable code, never internals."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.api.builders import (
    ORG,
    assert_problem,
    bearer,
    broker,
    start_tender,
    tender_form,
)
from tests.fixtures.api import ApiStack, run_api_stack

pytestmark = pytest.mark.parametrize("fresh_database_url", ["sqlite"], indirect=True)


async def test_health_and_docs_are_served(api: ApiStack) -> None:
    health = await api.http.get("/healthz")
    docs = await api.http.get("/docs")
    schema = (await api.http.get("/openapi.json")).json()

    assert health.status_code == 200
    assert health.json() == {"status": "ok"}
    assert docs.status_code == 200
    assert schema["paths"]["/tenders"]["post"]["summary"]
    assert health.headers["x-request-id"]
    assert (await api.http.get("/readyz")).json() == {"status": "ok"}


async def test_unknown_route_is_a_not_found_problem(api: ApiStack) -> None:
    response = await api.http.get("/nothing-here", headers=broker(api))

    problem = assert_problem(response, 404, "not_found")
    assert problem["instance"] == "/nothing-here"
    assert problem["type"].endswith("not_found")


async def test_wrong_method_is_a_405_problem_with_allow(api: ApiStack) -> None:
    response = await api.http.delete("/tenders", headers=broker(api))

    assert_problem(response, 405, "method_not_allowed")
    assert "GET" in response.headers["allow"]


async def test_missing_or_bad_token_is_401(api: ApiStack) -> None:
    missing = await api.http.get("/tenders")
    forged = await api.http.get("/tenders", headers=bearer("a.b.c"))
    unknown_link = await api.http.get("/tenders", headers=bearer("x" * 43))

    assert_problem(missing, 401, "unauthenticated")
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert_problem(forged, 401, "unauthenticated")
    assert_problem(unknown_link, 401, "unauthenticated")


async def test_token_of_another_issuer_key_is_401(api: ApiStack) -> None:
    from core.tokens import issue_token
    from models.actors import Role

    other = api.settings.model_copy(
        update={"jwt_secret": "another-signing-key-of-another-issuer"}
    )
    token = issue_token(other, sub="anna", role=Role.BROKER, org=ORG)

    assert_problem(await api.http.get("/tenders", headers=bearer(token)), 401)


async def test_wrong_role_is_403(api: ApiStack) -> None:
    insurer = api.auth("insurer", "uw-1", insurer_id="allsafe")

    response = await api.http.post("/tenders", json=tender_form(), headers=insurer)

    assert_problem(response, 403, "forbidden")


async def test_validation_error_lists_fields_without_echoing_input(
    api: ApiStack,
) -> None:
    form = tender_form(unexpected="value")
    form["policyholder"]["address"]["postal_code"] = "8033X"

    response = await api.http.post("/tenders", json=form, headers=broker(api))

    problem = assert_problem(response, 422, "validation_error")
    fields = {error["field"] for error in problem["errors"]}
    assert "body.policyholder.address.postal_code" in fields
    assert "body.unexpected" in fields
    assert "8033X" not in response.text


async def test_invalid_cursor_is_a_validation_problem(api: ApiStack) -> None:
    response = await api.http.get(
        "/tenders", params={"cursor": "not-a-cursor"}, headers=broker(api)
    )

    problem = assert_problem(response, 422, "validation_error")
    assert problem["errors"][0]["field"] == "query.cursor"


async def test_database_failure_is_a_500_without_details(api: ApiStack) -> None:
    tender = await start_tender(api, broker(api))
    with api.engine.begin() as connection:
        connection.execute(text("DROP TABLE outbox"))

    response = await api.http.get(
        f"/tenders/{tender['tender_id']}/emails", headers=broker(api)
    )

    problem = assert_problem(response, 500, "internal_error")
    assert "outbox" not in response.text
    assert "sqlite" not in response.text.lower()
    assert problem["detail"]


async def test_unreachable_temporal_is_503(dev_server_env, database_url) -> None:
    async with run_api_stack(
        dev_server_env, database_url, temporal_address="127.0.0.1:9"
    ) as stack:
        response = await stack.http.post(
            "/tenders", json=tender_form(), headers=broker(stack)
        )

        ready = await stack.http.get("/readyz")

    assert_problem(response, 503, "temporal_unavailable")
    assert response.headers["retry-after"]
    assert "temporal" in assert_problem(ready, 503, "not_ready")["detail"]


async def test_malformed_body_is_a_400_with_a_specific_code(api: ApiStack) -> None:
    headers = {**broker(api), "Content-Type": "application/json"}

    bad_utf8 = await api.http.post(
        "/tenders", content=b'{"trade": "B\xe4ckerei"}', headers=headers
    )

    assert_problem(bad_utf8, 400, "malformed_request")


async def test_every_status_the_api_declares_has_a_specific_code(
    api: ApiStack,
) -> None:
    from api.problems import code_for_status

    schema = (await api.http.get("/openapi.json")).json()
    statuses = {
        int(status)
        for path in schema["paths"].values()
        for operation in path.values()
        for status in operation.get("responses", {})
        if status.isdigit() and int(status) >= 400
    }

    assert statuses
    assert {code_for_status(s) for s in statuses | {400, 413}}.isdisjoint(
        {"http_error"}
    )
