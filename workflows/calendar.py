"""German business days: weekdays that are no public holiday in a federal state.

The workflow imports this module through the sandbox. The holidays library loads
its country data and translations lazily, which the sandbox forbids, so the
holiday tables are built once here at import, outside any workflow run.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from holidays.countries.germany import Germany

GERMAN_TIME = ZoneInfo("Europe/Berlin")
TABLE_YEARS = range(2020, 2071)
END_OF_DAY = time(23, 59)
MORNING = time(9, 0)

_HOLIDAYS: dict[str, frozenset[date]] = {
    state: frozenset(Germany(subdiv=state, years=TABLE_YEARS))
    for state in Germany.subdivisions
    if len(state) == 2
}
_NATIONAL = frozenset(Germany(years=TABLE_YEARS))


def public_holidays(state: str) -> frozenset[date]:
    """A federal state's holidays (two letters); unknown codes get the national ones."""
    return _HOLIDAYS.get(state, _NATIONAL)


def is_business_day(day: date, state: str) -> bool:
    return day.weekday() < 5 and day not in public_holidays(state)


def add_business_days(day: date, count: int, state: str) -> date:
    """The business day `count` business days after `day` (before, if negative)."""
    step = 1 if count >= 0 else -1
    remaining = abs(count)
    while remaining:
        day += timedelta(days=step)
        if is_business_day(day, state):
            remaining -= 1
    return day


def local_date(moment: datetime) -> date:
    return moment.astimezone(GERMAN_TIME).date()


def at_local(day: date, clock: time) -> datetime:
    """A German wall-clock moment, as UTC: arithmetic on a datetime zoned in
    Europe/Berlin is wall-clock arithmetic and would be an hour off across a
    daylight-saving change."""
    return datetime.combine(day, clock, tzinfo=GERMAN_TIME).astimezone(UTC)


def deadline_after(moment: datetime, business_days: int, state: str) -> datetime:
    """The end (23:59 German time) of the n-th business day after `moment`."""
    day = add_business_days(local_date(moment), business_days, state)
    return at_local(day, END_OF_DAY)


def business_days_later(moment: datetime, business_days: int, state: str) -> datetime:
    """The same German clock time, n business days later."""
    local = moment.astimezone(GERMAN_TIME)
    day = add_business_days(local.date(), business_days, state)
    return at_local(day, local.time().replace(tzinfo=None))


def morning_of(day: date) -> datetime:
    return at_local(day, MORNING)


def start_of(day: date) -> datetime:
    return at_local(day, time(0, 0))


def add_months(day: date, months: int) -> date:
    return day + relativedelta(months=months)
