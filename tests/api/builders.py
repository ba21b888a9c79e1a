"""Realistic request bodies and small HTTP helpers for the API tests."""

from __future__ import annotations

import re
from typing import Any

import httpx
from sqlmodel import Session, col, select

from store.tables import OutboxRecord
from tests.fixtures.api import ApiStack

ORG = "acme-makler"
OTHER_ORG = "other-makler"
ACCESS_LINK = re.compile(r"/insurer/access/([A-Za-z0-9_-]{20,})")


def tender_form(**changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "line_of_business": "business_liability",
        "trade": "Tischlerei",
        "policyholder": {
            "name": "Holzwerk Huber GmbH",
            "legal_form": "GmbH",
            "address": {
                "street": "Am Anger 3",
                "postal_code": "80331",
                "city": "München",
            },
            "employees": 12,
            "annual_revenue_eur": "1800000",
        },
        "broker": {
            "name": "Anna Beispiel",
            "company": "Acme Makler GmbH",
            "email": "anna@acme-makler.example",
        },
        "risk_answers": [
            {
                "question_id": "bhv.wood_processing",
                "question": "Wird Holz maschinell bearbeitet?",
                "answer": "ja",
            }
        ],
        "desired_cover": {
            "deductible_eur": "500",
            "sums_insured": [
                {"cover": "Personen-/Sachschäden", "amount_eur": "5000000"}
            ],
        },
        "routing_out_reasons": [
            {
                "insurer_id": "allsafe",
                "insurer_name": "AllSafe Versicherung AG",
                "reason": "Holzverarbeitung ist anfragepflichtig",
            },
            {
                "insurer_id": "nordhafen",
                "insurer_name": "Nordhafen Versicherung",
                "reason": "Umsatz über Zeichnungsgrenze",
            },
        ],
        "documents": [
            {"document_id": "doc-1", "name": "Betriebsbeschreibung.pdf"},
        ],
    }
    form.update(changes)
    return form


def invite(insurer_id: str, name: str | None = None) -> dict[str, Any]:
    return {
        "insurer_id": insurer_id,
        "insurer_name": name or f"{insurer_id.title()} Versicherung AG",
        "contact_email": f"underwriting@{insurer_id}.example",
    }


def quote_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "tariff": "BHV Handwerk Plus",
        "net_annual_premium_eur": "1200.00",
        "gross_annual_premium_eur": "1428.00",
        "deductible_eur": "500",
        "sums_insured": [{"cover": "Personen-/Sachschäden", "amount_eur": "5000000"}],
    }
    body.update(changes)
    return body


def assert_problem(
    response: httpx.Response, status: int, code: str | None = None
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == status
    assert {"type", "title", "status", "instance", "code"} <= problem.keys()
    if code is not None:
        assert problem["code"] == code, problem
    assert "Traceback" not in response.text
    return problem


async def set_policy(
    stack: ApiStack, value: str, *, org: str = ORG, **fields: Any
) -> dict[str, Any]:
    response = await stack.http.put(
        f"/admin/policies/{org}",
        json={"value": value, **fields},
        headers=stack.auth("admin", "root"),
    )
    assert response.status_code == 200, response.text
    return response.json()


def broker(stack: ApiStack, org: str = ORG, sub: str = "anna") -> dict[str, str]:
    return stack.auth("broker", sub, org=org, name="Anna Beispiel")


def backoffice(stack: ApiStack, sub: str = "bo-1") -> dict[str, str]:
    return stack.auth("backoffice", sub, org="pool", orgs=[ORG], name="Bernd Office")


async def start_tender(
    stack: ApiStack, headers: dict[str, str], **form: Any
) -> dict[str, Any]:
    response = await stack.http.post(
        "/tenders", json=tender_form(**form), headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


def access_tokens(stack: ApiStack, tender_id: str) -> dict[str, str]:
    """request_id -> the access token of its invitation e-mail, from the outbox."""
    with Session(stack.engine) as session:
        rows = session.exec(
            select(OutboxRecord)
            .where(OutboxRecord.tender_id == tender_id)
            .where(OutboxRecord.kind == "insurer_invitation")
            .order_by(col(OutboxRecord.created_at))
        ).all()
    tokens = {}
    for row in rows:
        match = ACCESS_LINK.search(row.body)
        assert match, "the invitation carries no access link"
        tokens[row.request_id] = match.group(1)
    return tokens


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
