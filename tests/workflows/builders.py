"""Realistic tenders, actors and answers for the workflow tests."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from models.actors import Actor, Role
from models.insurer import InsurerInvite, QuoteInput
from models.policy import ProcessingMode
from models.tender import (
    Address,
    BrokerContact,
    DesiredCover,
    LineOfBusiness,
    Policyholder,
    RiskAnswer,
    RoutingOutReason,
    SumInsured,
    TenderSubmission,
)
from models.workflow_io import TenderStart

ORG = "makler-sued"
BROKER = Actor(
    role=Role.BROKER, user_id="b-lena", organisation_id=ORG, display_name="Lena Vogt"
)
OTHER_BROKER = Actor(role=Role.BROKER, user_id="b-otto", organisation_id=ORG)
AGENT = Actor(role=Role.BACKOFFICE, user_id="bo-jonas", display_name="Jonas Keller")
OTHER_AGENT = Actor(role=Role.BACKOFFICE, user_id="bo-mira")
BROKER_EMAIL = "lena.vogt@makler-sued.example"
BACKOFFICE_EMAIL = "backoffice@makler-sued.example"
INSURERS = ["alpina", "hanse", "rheinland", "isar", "weser"]


def insurer(insurer_id: str) -> Actor:
    return Actor(role=Role.INSURER, user_id=f"u-{insurer_id}", insurer_id=insurer_id)


def submission(**changes: Any) -> TenderSubmission:
    values: dict[str, Any] = {
        "line_of_business": LineOfBusiness.BUSINESS_LIABILITY,
        "trade": "Bäckerei mit Café",
        "policyholder": Policyholder(
            name="Backhaus Brandl GmbH",
            legal_form="GmbH",
            address=Address(
                street="Sendlinger Str. 12", postal_code="80331", city="München"
            ),
            employees=18,
            annual_revenue_eur=Decimal("1450000"),
        ),
        "broker": BrokerContact(
            name="Lena Vogt", company="Makler Süd GmbH", email=BROKER_EMAIL
        ),
        "risk_answers": [
            RiskAnswer(
                question_id="bhv.catering",
                question="Werden Speisen vor Ort verzehrt?",
                answer="ja, 24 Sitzplätze",
            )
        ],
        "desired_cover": DesiredCover(
            deductible_eur=Decimal("250"),
            sums_insured=[
                SumInsured(cover="Personen-/Sachschäden", amount_eur=Decimal("5000000"))
            ],
        ),
        "routing_out_reasons": [
            RoutingOutReason(
                insurer_id="alpina",
                insurer_name="Alpina Versicherung AG",
                reason="Gastronomieanteil über 30 %",
            )
        ],
    }
    values.update(changes)
    return TenderSubmission(**values)


def tender_start(
    *, requested_mode: ProcessingMode | None = None, **changes: Any
) -> TenderStart:
    values: dict[str, Any] = {
        "tender_id": f"t-{uuid.uuid4().hex[:12]}",
        "organisation_id": ORG,
        "broker": BROKER,
        "submission": submission(),
        "requested_mode": requested_mode,
        "portal_base_url": "https://portal.example",
    }
    values.update(changes)
    return TenderStart(**values)


def invite(insurer_id: str) -> InsurerInvite:
    return InsurerInvite(
        insurer_id=insurer_id,
        insurer_name=f"{insurer_id.title()} Versicherung AG",
        contact_email=f"underwriting@{insurer_id}.example",
    )


def quote(**changes: Any) -> QuoteInput:
    values: dict[str, Any] = {
        "tariff": "BHV Handwerk Komfort",
        "net_annual_premium_eur": Decimal("980.00"),
        "gross_annual_premium_eur": Decimal("1166.20"),
        "deductible_eur": Decimal("250"),
        "sums_insured": [
            SumInsured(cover="Personen-/Sachschäden", amount_eur=Decimal("5000000"))
        ],
    }
    values.update(changes)
    return QuoteInput(**values)
