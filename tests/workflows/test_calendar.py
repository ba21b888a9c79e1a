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
