"""The periods a report covers: pure date arithmetic, edge days and leap years."""

from datetime import date

import pytest

from enlace.subscriptions.rules import (
    Period,
    due_at,
    first_period,
    next_period,
    period_containing,
    period_ending,
    retry_after,
)
from enlace.subscriptions.tests.conftest import SV


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (date(2026, 1, 1), date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 3, 31), date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 4, 1), date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 6, 30), date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 7, 1), date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 9, 30), date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 10, 1), date(2026, 10, 1), date(2026, 12, 31)),
        (date(2026, 12, 31), date(2026, 10, 1), date(2026, 12, 31)),
        (date(2024, 2, 29), date(2024, 1, 1), date(2024, 3, 31)),
    ],
)
def test_a_quarter_is_three_calendar_months(day, start, end):
    assert period_containing("quarterly", day) == Period(start, end)


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (date(2026, 1, 1), date(2026, 1, 1), date(2026, 6, 30)),
        (date(2026, 3, 31), date(2026, 1, 1), date(2026, 6, 30)),
        (date(2026, 6, 30), date(2026, 1, 1), date(2026, 6, 30)),
        (date(2026, 7, 1), date(2026, 7, 1), date(2026, 12, 31)),
        (date(2026, 12, 31), date(2026, 7, 1), date(2026, 12, 31)),
        (date(2028, 2, 29), date(2028, 1, 1), date(2028, 6, 30)),
    ],
)
def test_a_semester_is_january_to_june_or_july_to_december(day, start, end):
    assert period_containing("semester", day) == Period(start, end)


@pytest.mark.parametrize(
    ("day", "end"),
    [
        (date(2024, 2, 10), date(2024, 2, 29)),  # leap year
        (date(2025, 2, 10), date(2025, 2, 28)),
        (date(2100, 2, 1), date(2100, 2, 28)),  # divisible by 100: not a leap year
        (date(2000, 2, 1), date(2000, 2, 29)),  # divisible by 400: a leap year
        (date(2026, 4, 30), date(2026, 4, 30)),
        (date(2026, 12, 31), date(2026, 12, 31)),
    ],
)
def test_a_month_is_a_calendar_month(day, end):
    assert period_containing("monthly", day) == Period(day.replace(day=1), end)


def test_the_next_period_follows_without_gap_across_years():
    assert next_period("quarterly", Period(date(2026, 10, 1), date(2026, 12, 31))) == Period(
        date(2027, 1, 1), date(2027, 3, 31)
    )
    assert next_period("semester", Period(date(2026, 7, 1), date(2026, 12, 31))) == Period(
        date(2027, 1, 1), date(2027, 6, 30)
    )
    assert next_period("monthly", Period(date(2024, 1, 1), date(2024, 1, 31))) == Period(
        date(2024, 2, 1), date(2024, 2, 29)
    )
    # Every month of a year, in a row, with no day left out.
    period = Period(date(2023, 12, 1), date(2023, 12, 31))
    days = 0
    for _month in range(12):
        period = next_period("monthly", period)
        days += (period.end - period.start).days + 1
    assert (period.end, days) == (date(2024, 12, 31), 366)


def test_a_subscription_made_mid_period_starts_with_the_period_under_way():
    assert first_period("quarterly", date(2026, 2, 15)) == Period(
        date(2026, 1, 1), date(2026, 3, 31)
    )
    assert first_period("semester", date(2026, 6, 30)).end == date(2026, 6, 30)


def test_only_a_period_s_last_day_names_it():
    assert period_ending("semester", date(2026, 12, 31)).start == date(2026, 7, 1)
    with pytest.raises(ValueError, match="ends no"):
        period_ending("quarterly", date(2026, 3, 30))


def test_a_period_is_produced_the_morning_after_it_ends_and_retried_later():
    assert due_at(date(2026, 3, 31), SV).isoformat() == "2026-04-01T06:00:00-06:00"
    assert due_at(date(2026, 12, 31), SV).isoformat() == "2027-01-01T06:00:00-06:00"
    assert [retry_after(n).total_seconds() / 60 for n in (1, 2, 3, 4, 9)] == [
        10,
        60,
        360,
        1440,
        1440,
    ]
