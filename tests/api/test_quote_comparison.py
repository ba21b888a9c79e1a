"""Quotes side by side: sorting, markers, who sees which quotes."""

from __future__ import annotations

import pytest

from tests.api.builders import (
    OTHER_ORG,
    assert_problem,
    backoffice,
    broker,
    invite,
    quote_body,
    set_policy,
    start_tender,
)
from tests.fixtures.api import ApiStack

pytestmark = pytest.mark.parametrize("fresh_database_url", ["sqlite"], indirect=True)

QUOTES = {
    "allsafe": quote_body(
        net_annual_premium_eur="900.00",
        gross_annual_premium_eur="1071.00",
        deductible_eur="1000",
    ),
    "nordhafen": quote_body(
        tariff="BHV Kompakt",
        net_annual_premium_eur="1100.00",
        gross_annual_premium_eur="1309.00",
        deductible_eur="250",
        sums_insured=[{"cover": "Personen-/Sachschäden", "amount_eur": "10000000"}],
        deviations="Ohne Produkthaftpflicht",
    ),
}


async def test_comparison_sorts_and_marks_quotes(api: ApiStack) -> None:
    await set_policy(api, "BACKOFFICE")
    tender_id = (await start_tender(api, broker(api)))["tender_id"]
    base = f"/tenders/{tender_id}"
    agent = backoffice(api)
    await api.http.post(f"{base}/claim", headers=agent)
    added = await api.http.post(
        f"{base}/insurers",
        json={"insurers": [invite(i) for i in QUOTES]},
        headers=agent,
    )
    requests = {r["insurer_id"]: r["request_id"] for r in added.json()["requests"]}
    quote_ids = {}
    for insurer_id, body in QUOTES.items():
        quoted = await api.http.post(
            f"{base}/requests/{requests[insurer_id]}/quotes", json=body, headers=agent
        )
        assert quoted.status_code == 200, quoted.text
        [quote] = [q for q in quoted.json()["quotes"] if q["insurer_id"] == insurer_id]
        quote_ids[insurer_id] = quote["quote_id"]
    await api.http.post(
        f"{base}/quotes/release",
        json={"quote_ids": [quote_ids["nordhafen"]]},
        headers=agent,
    )

    async def compare(headers, **params) -> list[dict]:
        response = await api.http.get(
            f"{base}/quotes/comparison", params=params, headers=headers
        )
        assert response.status_code == 200, response.text
        return response.json()["quotes"]

    cheapest = await compare(agent)
    dearest = await compare(agent, sort="gross_premium", order="desc")
    low_deductible = await compare(agent, sort="deductible")
    most_cover = await compare(agent, sort="sum_insured", order="desc")
    for_broker = await compare(broker(api))
    bad_sort = await api.http.get(
        f"{base}/quotes/comparison", params={"sort": "premium"}, headers=agent
    )
    as_insurer = await api.http.get(
        f"{base}/quotes/comparison",
        headers=api.auth("insurer", "uw-1", insurer_id="allsafe"),
    )
    foreign = await api.http.get(
        f"{base}/quotes/comparison", headers=broker(api, org=OTHER_ORG)
    )

    def insurers(rows: list[dict]) -> list[str]:
        return [r["insurer_id"] for r in rows]

    assert insurers(cheapest) == ["allsafe", "nordhafen"]
    assert insurers(dearest) == ["nordhafen", "allsafe"]
    assert insurers(low_deductible) == ["nordhafen", "allsafe"]
    assert insurers(most_cover) == ["nordhafen", "allsafe"]
    by_insurer = {r["insurer_id"]: r for r in cheapest}
    assert by_insurer["allsafe"]["released"] is False
    assert by_insurer["allsafe"]["acceptable"] is False
    assert by_insurer["nordhafen"]["acceptable"] is True
    assert by_insurer["nordhafen"]["expired"] is False
    assert by_insurer["nordhafen"]["largest_sum_insured_eur"] == "10000000"
    assert by_insurer["nordhafen"]["deviations"] == "Ohne Produkthaftpflicht"
    assert insurers(for_broker) == ["nordhafen"]
    assert_problem(bad_sort, 422, "validation_error")
    assert_problem(as_insurer, 403, "forbidden")
    assert_problem(foreign, 404, "tender_not_found")
