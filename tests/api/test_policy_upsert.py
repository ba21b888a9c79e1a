"""Concurrent first writes of an organisation's policy all succeed."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import Session, select

from store.tables import PolicyRecord
from tests.fixtures.api import ApiStack


@pytest.mark.parametrize("fresh_database_url", ["sqlite", "postgresql"], indirect=True)
@pytest.mark.parametrize("line", [None, "cyber"])
async def test_parallel_puts_for_a_new_organisation(
    api: ApiStack, line: str | None
) -> None:
    admin = api.auth("admin", "root")
    values = ["BACKOFFICE", "SELF_SERVICE", "BROKER_CHOICE", "BACKOFFICE"] * 2
    body = {"line_of_business": line} if line else {}

    responses = await asyncio.gather(
        *(
            api.http.put(
                "/admin/policies/new-org", json={**body, "value": v}, headers=admin
            )
            for v in values
        )
    )

    assert [r.status_code for r in responses] == [200] * 8, [r.text for r in responses]
    with Session(api.engine) as session:
        rows = session.exec(
            select(PolicyRecord).where(PolicyRecord.organisation_id == "new-org")
        ).all()
    assert len(rows) == 1
    assert rows[0].line_of_business == line
    assert rows[0].value in values
