"""Quotes of a tender side by side, the way the broker chooses between them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.access import TenderId, db, find_visible_tender, released_only
from api.deps import ReaderDep, SessionDep
from api.problems import problem_responses
from models.insurer import PaymentFrequency, Quote

router = APIRouter(prefix="/tenders/{tender_id}/quotes", tags=["tenders"])

GERMANY = ZoneInfo("Europe/Berlin")
SortKey = Literal["gross_premium", "deductible", "sum_insured"]


class ComparedQuote(BaseModel):
    quote_id: str
    request_id: str
    insurer_id: str
    insurer_name: str
    tariff: str
    net_annual_premium_eur: Decimal
    gross_annual_premium_eur: Decimal
    payment_frequency: PaymentFrequency
    deductible_eur: Decimal
    largest_sum_insured_eur: Decimal | None
    deviations: str | None
    valid_until: date
    released: bool
    expired: bool = Field(description="Past its validity ('Angebot abgelaufen')")
    acceptable: bool = Field(description="Released and not expired: may be accepted")

    @classmethod
    def of(cls, quote: Quote, today: date) -> ComparedQuote:
        expired = quote.expired or quote.valid_until < today
        return cls(
            **quote.model_dump(
                include=set(cls.model_fields) - {"expired", "acceptable"}
            ),
            largest_sum_insured_eur=max(
                (s.amount_eur for s in quote.sums_insured), default=None
            ),
            expired=expired,
            acceptable=quote.released and not expired,
        )


class QuoteComparison(BaseModel):
    tender_id: str
    sort: SortKey
    order: Literal["asc", "desc"]
    quotes: list[ComparedQuote]


def _sort_value(row: ComparedQuote, sort: SortKey) -> Decimal | None:
    if sort == "gross_premium":
        return row.gross_annual_premium_eur
    if sort == "deductible":
        return row.deductible_eur
    return row.largest_sum_insured_eur


def _ordered(
    rows: list[ComparedQuote], sort: SortKey, descending: bool
) -> list[ComparedQuote]:
    """Sorted by the key, ties by insurer; quotes without the value come last."""
    rows = sorted(rows, key=lambda r: (r.insurer_name, r.quote_id))
    known = [r for r in rows if _sort_value(r, sort) is not None]
    missing = [r for r in rows if _sort_value(r, sort) is None]
    known.sort(key=lambda r: _sort_value(r, sort), reverse=descending)
    return known + missing


@router.get(
    "/comparison",
    response_model=QuoteComparison,
    responses=problem_responses(401, 403, 404, 422),
)
async def compare_quotes(
    tender_id: TenderId,
    principal: ReaderDep,
    session: SessionDep,
    sort: SortKey = "gross_premium",
    order: Literal["asc", "desc"] = "asc",
) -> QuoteComparison:
    """The tender's quotes side by side; brokers see released quotes only."""
    detail = await db(session, lambda s: find_visible_tender(s, principal, tender_id))
    today = datetime.now(GERMANY).date()
    quotes = [q for q in detail.quotes if q.released or not released_only(principal)]
    rows = [ComparedQuote.of(q, today) for q in quotes]
    return QuoteComparison(
        tender_id=tender_id,
        sort=sort,
        order=order,
        quotes=_ordered(rows, sort, order == "desc"),
    )
