"""The two dates a list compares the stored due date with give the same state as the pure
rule, for every due date around today, across weekends and holidays (no database)."""

from datetime import date, timedelta

import pytest

from enlace.directory.calendar import BusinessCalendar, national_holidays
from enlace.oir.deadlines import DeadlineState, LegalRules, state, state_bounds

CALENDAR = BusinessCalendar(frozenset(national_holidays([2026, 2027])))
RULES = LegalRules()


def by_bounds(due: date, today: date) -> DeadlineState:
    bounds = state_bounds(CALENDAR, today, RULES)
    if due <= bounds.very_overdue_until:
        return DeadlineState.VERY_OVERDUE
    if due < today:
        return DeadlineState.OVERDUE
    if due <= bounds.soon_until:
        return DeadlineState.DUE_SOON
    return DeadlineState.ON_TIME


@pytest.mark.parametrize(
    "today",
    [
        date(2026, 9, 16),  # the day after 15 September
        date(2026, 9, 19),  # a Saturday
        date(2026, 4, 6),  # the Monday after Semana Santa
        date(2026, 11, 2),  # Día de los Difuntos
        date(2026, 12, 28),  # between Christmas and New Year
        date(2027, 1, 4),
    ],
)
def test_bounds_agree_with_the_rule_for_every_due_date(today):
    for offset in range(-40, 40):
        due = today + timedelta(days=offset)
        assert by_bounds(due, today) == state(CALENDAR, due, today, RULES), (today, due)
