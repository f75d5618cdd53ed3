"""The LAIP's deadlines on El Salvador's real calendar: weekends, Semana Santa, 15 September,
2 November and Christmas, extensions and clarifications. Dates worked out by hand on the 2026
calendar (the `holidays` package's national holidays for SV)."""

from datetime import date

import pytest

from enlace.directory.calendar import BusinessCalendar, national_holidays
from enlace.oir.deadlines import (
    Clarification,
    ClarificationEffect,
    DeadlineState,
    LegalRules,
    appeal_deadline,
    due_date,
    extension_allowed,
    first_counted_day,
    state,
)

CALENDAR = BusinessCalendar(frozenset(national_holidays([2026, 2027])))
RULES = LegalRules()


@pytest.mark.parametrize(
    ("received", "due", "why"),
    [
        # Friday: counting starts on Monday 9; ten business days end on Friday 20.
        (date(2026, 3, 6), date(2026, 3, 20), "weekend"),
        # Holy Thursday, Good Friday and Holy Saturday (2-4 April) do not count.
        (date(2026, 3, 30), date(2026, 4, 15), "Semana Santa"),
        # Independence Day, Tuesday 15 September, does not count.
        (date(2026, 9, 10), date(2026, 9, 25), "15 September"),
        # Día de los Difuntos, Monday 2 November: the count starts on Tuesday 3.
        (date(2026, 10, 30), date(2026, 11, 16), "2 November"),
        # Christmas (Friday 25 December) and New Year (Friday 1 January) do not count.
        (date(2026, 12, 21), date(2027, 1, 6), "Christmas and New Year"),
        # Received on a holiday: the first counted day is the next business day after it.
        (date(2026, 9, 15), date(2026, 9, 29), "received on a holiday"),
    ],
)
def test_ten_business_days_from_the_day_after_receipt(received, due, why):
    assert due_date(CALENDAR, received) == due, why


def test_information_older_than_five_years_has_twenty_days():
    # From Monday 30 March 2026: 20 business days, skipping Semana Santa.
    assert due_date(CALENDAR, date(2026, 3, 30), old_information=True) == date(2026, 4, 29)


def test_an_extension_adds_five_business_days():
    plain = due_date(CALENDAR, date(2026, 12, 21))
    extended = due_date(CALENDAR, date(2026, 12, 21), extended=True)
    assert (plain, extended) == (date(2027, 1, 6), date(2027, 1, 13))
    old_and_extended = due_date(CALENDAR, date(2026, 3, 30), old_information=True, extended=True)
    assert old_and_extended == date(2026, 5, 7)  # 1 May, Labour Day, does not count


def test_an_extension_is_allowed_until_the_deadline_and_not_after():
    due = date(2026, 3, 20)
    assert extension_allowed(due, date(2026, 3, 20))
    assert not extension_allowed(due, date(2026, 3, 21))


def test_the_count_may_start_on_the_day_of_receipt_if_so_configured():
    from_receipt = LegalRules(count_from_next_business_day=False)
    assert first_counted_day(CALENDAR, date(2026, 3, 6), from_receipt) == date(2026, 3, 6)
    assert due_date(CALENDAR, date(2026, 3, 6), rules=from_receipt) == date(2026, 3, 19)
    # On a day that is not a business day, the count still starts on the next one.
    assert first_counted_day(CALENDAR, date(2026, 3, 7), from_receipt) == date(2026, 3, 9)


def test_a_pending_clarification_stops_the_clock():
    waiting = (Clarification(asked_on=date(2026, 3, 10)),)
    assert due_date(CALENDAR, date(2026, 3, 6), clarifications=waiting) is None
    assert state(CALENDAR, None, date(2026, 4, 30), RULES) == DeadlineState.PAUSED


def test_an_answered_clarification_adds_the_business_days_waited():
    # Asked on Tuesday 31 March, answered on Wednesday 8 April: 4 business days waited (1, 6,
    # 7 and 8 April; 2-4 April are Semana Santa), so the due date moves from 15 to 21 April.
    answered = (Clarification(asked_on=date(2026, 3, 31), answered_on=date(2026, 4, 8)),)
    plain = due_date(CALENDAR, date(2026, 3, 30))
    assert plain == date(2026, 4, 15)
    assert CALENDAR.business_days_between(date(2026, 3, 31), date(2026, 4, 8)) == 4
    assert due_date(CALENDAR, date(2026, 3, 30), clarifications=answered) == date(2026, 4, 21)


def test_with_the_restart_rule_the_count_starts_again_from_the_answer():
    restart = LegalRules(clarification=ClarificationEffect.RESTART)
    answered = (Clarification(asked_on=date(2026, 9, 11), answered_on=date(2026, 10, 30)),)
    # As if received on Friday 30 October: past 2 November, due on Monday 16 November.
    assert due_date(CALENDAR, date(2026, 9, 10), rules=restart, clarifications=answered) == date(
        2026, 11, 16
    )


def test_overdue_is_judged_by_date_and_grows_very_overdue():
    due = date(2026, 9, 25)  # a Friday
    assert state(CALENDAR, due, date(2026, 9, 16), RULES) == DeadlineState.ON_TIME
    assert state(CALENDAR, due, date(2026, 9, 22), RULES) == DeadlineState.DUE_SOON
    assert state(CALENDAR, due, due, RULES) == DeadlineState.DUE_SOON  # the whole last day
    assert state(CALENDAR, due, date(2026, 9, 28), RULES) == DeadlineState.OVERDUE
    assert state(CALENDAR, due, date(2026, 10, 2), RULES) == DeadlineState.OVERDUE  # 5 late
    assert state(CALENDAR, due, date(2026, 10, 5), RULES) == DeadlineState.VERY_OVERDUE


def test_the_citizen_has_fifteen_business_days_to_go_to_the_iaip():
    # From Monday 16 November 2026: 15 business days end on Monday 7 December.
    assert appeal_deadline(CALENDAR, date(2026, 11, 16), RULES) == date(2026, 12, 7)
    # Across Christmas and New Year: from Monday 21 December to Wednesday 13 January.
    assert appeal_deadline(CALENDAR, date(2026, 12, 21), RULES) == date(2027, 1, 13)
