"""What ops see in Temporal: search attributes and current details, no personal data."""

from __future__ import annotations

from temporalio.api.sdk.v1 import WorkflowMetadata

from models.policy import PolicyValue
from models.workflow_io import AddInsurers, Claim
from tests.workflows.builders import AGENT, ORG, invite
from tests.workflows.conftest import Harness
from workflows import search_attributes as sa


async def test_search_attributes_and_details_mirror_the_tender(
    dev_harness: Harness,
) -> None:
    harness = dev_harness
    harness.set_policy(PolicyValue.BACKOFFICE)
    handle = await harness.start()
    await harness.update(handle, "claim", Claim(actor=AGENT))
    view = await harness.update(
        handle,
        "add_insurers",
        AddInsurers(actor=AGENT, insurers=[invite("alpina"), invite("hanse")]),
    )

    attributes = (await handle.describe()).typed_search_attributes
    assert attributes.get(sa.TENDER_STATUS) == "TENDERING"
    assert attributes.get(sa.PROCESSING_MODE) == "BACKOFFICE"
    assert attributes.get(sa.LINE_OF_BUSINESS) == "business_liability"
    assert attributes.get(sa.BROKER_ORGANISATION) == ORG
    assert attributes.get(sa.ASSIGNEE) == AGENT.user_id
    assert attributes.get(sa.OPEN_REQUESTS) == 2
    assert attributes.get(sa.QUOTE_DEADLINE) == view.requests[0].deadline

    metadata = await handle.query(
        "__temporal_workflow_metadata", result_type=WorkflowMetadata
    )
    details = metadata.current_details
    assert details.startswith("tendering: 0 of 2 insurers answered, next deadline ")
    for personal in ("Alpina", "alpina", "@", "Lena", "Backhaus"):
        assert personal not in details
