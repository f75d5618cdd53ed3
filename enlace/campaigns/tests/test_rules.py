"""The rules without the database: the next calling slot across a weekend and a holiday, what
each outcome does, the script filled in."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from enlace.campaigns import rules
from enlace.campaigns.models import ContactState, Outcome
from enlace.directory.calendar import BusinessCalendar

SV = ZoneInfo("America/El_Salvador")
OFFICE = rules.DEFAULT_WINDOWS  # Monday to Friday, 7:30 to 16:30
# Friday 20 November 2026 at 16:00; Monday the 23rd a holiday here, for the test.
FRIDAY = datetime(2026, 11, 20, 16, 0, tzinfo=SV)
CALENDAR = BusinessCalendar(frozenset({date(2026, 11, 23)}))
RETRY = rules.Retry(max_attempts=3, busy_minutes=30, no_answer_minutes=120, voicemail_minutes=240)


def test_a_retry_after_closing_time_waits_past_the_weekend_and_the_holiday() -> None:
    after = rules.after_outcome(
        Outcome.NO_ANSWER,
        attempts=1,
        now=FRIDAY,
        retry=RETRY,
        windows=OFFICE,
        calendar=CALENDAR,
        ends_on=date(2026, 12, 31),
    )
    # 18:00 on Friday is closed; Saturday, Sunday and Monday (holiday) are not business days.
    assert after == rules.Next(ContactState.TO_CALL, datetime(2026, 11, 24, 7, 30, tzinfo=SV))


def test_a_retry_within_the_window_keeps_the_delay() -> None:
    after = rules.after_outcome(
        Outcome.BUSY,
        attempts=1,
        now=FRIDAY - timedelta(hours=3),
        retry=RETRY,
        windows=OFFICE,
        calendar=CALENDAR,
        ends_on=date(2026, 12, 31),
    )
    assert after.next_attempt_at == datetime(2026, 11, 20, 13, 30, tzinfo=SV)


def test_attempts_used_up_or_past_the_end_leave_the_contact_unreachable() -> None:
    def after(outcome: str, attempts: int, ends_on: date) -> rules.Next:
        return rules.after_outcome(
            outcome,
            attempts=attempts,
            now=FRIDAY,
            retry=RETRY,
            windows=OFFICE,
            calendar=CALENDAR,
            ends_on=ends_on,
        )

    assert after(Outcome.VOICEMAIL, 3, date(2026, 12, 31)).state == ContactState.UNREACHABLE
    assert after(Outcome.NO_ANSWER, 1, date(2026, 11, 20)).state == ContactState.UNREACHABLE


@pytest.mark.parametrize(
    "outcome",
    [Outcome.CONFIRMED, Outcome.RESCHEDULED, Outcome.WRONG_NUMBER, Outcome.DECEASED],
)
def test_final_outcomes_end_the_calls(outcome: str) -> None:
    after = rules.after_outcome(
        outcome,
        attempts=1,
        now=FRIDAY,
        retry=RETRY,
        windows=OFFICE,
        calendar=CALENDAR,
        ends_on=date(2026, 12, 31),
    )
    assert after == rules.Next(ContactState.DONE)


def test_a_call_back_keeps_its_hour_and_goes_first() -> None:
    at = datetime(2026, 11, 24, 9, 0, tzinfo=SV)
    after = rules.after_outcome(
        Outcome.CALL_BACK,
        attempts=1,
        now=FRIDAY,
        retry=RETRY,
        windows=OFFICE,
        calendar=CALENDAR,
        ends_on=date(2026, 12, 31),
        call_back_at=at,
    )
    assert after == rules.Next(ContactState.TO_CALL, at, callback=True)


def test_in_window() -> None:
    assert rules.in_window(FRIDAY, OFFICE, CALENDAR, date(2026, 12, 31))
    assert not rules.in_window(FRIDAY.replace(hour=17), OFFICE, CALENDAR, date(2026, 12, 31))
    monday = datetime(2026, 11, 23, 9, 0, tzinfo=SV)  # the holiday
    assert not rules.in_window(monday, OFFICE, CALENDAR, date(2026, 12, 31))
    assert not rules.in_window(FRIDAY, OFFICE, CALENDAR, date(2026, 11, 19))
    saturday = [rules.Window(5, time(8), time(12))]
    # A campaign that calls on Saturdays does; a holiday closes every window.
    saturday_9 = FRIDAY.replace(day=21, hour=9)
    assert rules.in_window(saturday_9, saturday, BusinessCalendar(), date(2026, 12, 31))
    holiday = BusinessCalendar(frozenset({date(2026, 11, 21)}))
    assert not rules.in_window(saturday_9, saturday, holiday, date(2026, 12, 31))


def test_the_script_is_filled_and_an_unknown_placeholder_shows() -> None:
    text = rules.fill_script(
        "Buen día, {nombre}. Su cita es el {fecha_cita} en {lugar}.",
        {"nombre": "Marta Pérez", "fecha_cita": "25/11/2026 08:00"},
    )
    assert text == "Buen día, Marta Pérez. Su cita es el 25/11/2026 08:00 en {lugar}."
