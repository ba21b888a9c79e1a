from datetime import UTC, date, timedelta

from workflows import calendar


def test_german_deadlines_are_utc_so_moving_them_is_exact_across_dst():
    before_change = calendar.deadline_after(
        calendar.morning_of(date(2027, 3, 22)), 3, "BY"
    )
    paused = timedelta(days=10)

    moved = before_change + paused

    assert before_change.tzinfo is UTC
    assert moved - before_change == paused
    assert calendar.local_date(before_change) == date(2027, 3, 25)


def test_business_days_skip_weekends_and_bavarian_holidays():
    # Thursday before Easter 2027: Good Friday and Easter Monday are holidays.
    assert calendar.add_business_days(date(2027, 3, 25), 1, "BY") == date(2027, 3, 30)
    # Epiphany is a holiday in Bavaria, not in Berlin.
    assert calendar.add_business_days(date(2027, 1, 5), 1, "BY") == date(2027, 1, 7)
    assert calendar.add_business_days(date(2027, 1, 5), 1, "BE") == date(2027, 1, 6)


def test_settings_cannot_push_a_timer_beyond_the_calendar():
    import pytest
    from pydantic import ValidationError

    from models.insurer import QuoteInput
    from models.policy import TenderTimings

    for unbounded in (
        {"response_period": "P3000000D"},
        {"response_period": "-P1D"},
        {"reminder_after_business_days": [100_000_000]},
        {"reminder_days_before_deadline": [-100_000_000]},
        {"reminder_after": ["PT0S"]},
    ):
        with pytest.raises(ValidationError):
            TenderTimings(**unbounded)
    with pytest.raises(ValidationError):
        QuoteInput(
            tariff="Kompakt",
            net_annual_premium_eur="1000.00",
            gross_annual_premium_eur="1190.00",
            valid_until="9999-12-31",
        )
