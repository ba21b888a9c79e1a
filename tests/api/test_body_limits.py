"""Request bodies over the limit are a 413 problem, before they are read, and a
payload the tender engine refuses for its size is a 413 too, not a 500 or 503."""

from __future__ import annotations

import json

import pytest

from tests.api.builders import assert_problem, broker, tender_form
from tests.fixtures.api import ApiStack, run_api_stack

pytestmark = pytest.mark.parametrize("fresh_database_url", ["sqlite"], indirect=True)


def _large_form(answers: int, reasons: int = 0) -> dict:
    form = tender_form()
    form["risk_answers"] = [
        {"question_id": f"q{i}", "question": "Frage?", "answer": "€" * 2000}
        for i in range(answers)
    ]
    form["routing_out_reasons"] = [
        {"insurer_id": f"i{i}", "insurer_name": "Versicherer", "reason": "€" * 2000}
        for i in range(reasons)
    ]
    return form


async def test_body_over_the_limit_is_413(api: ApiStack) -> None:
    body = json.dumps(tender_form(free_text="x" * 2_000_000)).encode()
    headers = {**broker(api), "Content-Type": "application/json"}

    declared = await api.http.post("/tenders", content=body, headers=headers)

    async def chunks():
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    chunked = await api.http.post("/tenders", content=chunks(), headers=headers)
    small = await api.http.post("/tenders", json=tender_form(), headers=broker(api))

    assert "content-length" not in chunked.request.headers
    assert_problem(declared, 413, "payload_too_large")
    assert_problem(chunked, 413, "payload_too_large")
    assert declared.headers["x-request-id"]
    assert small.status_code == 201, small.text


async def test_payload_the_engine_refuses_for_size_is_413(
    dev_server_env, database_url
) -> None:
    async with run_api_stack(
        dev_server_env, database_url, max_body_bytes=64 * 1024 * 1024
    ) as stack:
        over_blob_limit = await stack.http.post(
            "/tenders", json=_large_form(500), headers=broker(stack)
        )
        over_message_limit = await stack.http.post(
            "/tenders", json=_large_form(500, 200), headers=broker(stack)
        )

    assert_problem(over_blob_limit, 413, "payload_too_large")
    assert_problem(over_message_limit, 413, "payload_too_large")
    assert "retry-after" not in over_message_limit.headers
