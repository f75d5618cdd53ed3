"""The legal deadlines of a public-information request under the LAIP (Decreto 534), as pure
date arithmetic over the business-day calendar (enlace/directory/calendar.py).

- The answer is due 10 business days after receipt; 20 when the information asked for is more
  than five years old; plus 5 by a recorded, reasoned extension (which the action allows only
  before the deadline has passed).
- Counting starts on the business day after receipt (or, if so configured, on the day of receipt
  itself when it is a business day).
- A clarification request (prevención) stops the clock while the citizen has not answered; on
  the answer, as configured, either the business days waited are added (PAUSE) or the count
  starts again from the answer (RESTART).
- Overdue is judged by date: the request is overdue from the first day after its due date.
- After the due date (or the notification of the resolution), the citizen has 15 business days
  to complain or appeal to the IAIP.
- Reminders: a date approaching or passed rises through alert levels (none, due soon, overdue);
  `next_alert_day` says on which day the level next rises above the one already told, so the
  sweeper wakes a row only then, and never twice on one day.

Nothing here reads the database; the request's model and actions call these functions with the
calendar of the office (`business_calendar`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum, StrEnum

from enlace.directory.calendar import BusinessCalendar


class ClarificationEffect(StrEnum):
    PAUSE = "pause"  # the business days waiting for the citizen are added to the deadline
    RESTART = "restart"  # the count starts again from the citizen's answer


class DeadlineState(StrEnum):
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    VERY_OVERDUE = "very_overdue"
    PAUSED = "paused"  # waiting for the citizen's clarification


@dataclass(frozen=True)
class LegalRules:
    """The law's numbers, and the choices it leaves to the institution's rules."""

    answer_days: int = 10
    old_information_days: int = 20  # information more than five years old
    extension_days: int = 5
    count_from_next_business_day: bool = True
    clarification: ClarificationEffect = ClarificationEffect.PAUSE
    appeal_days: int = 15  # the citizen's window to go to the IAIP
    due_soon_days: int = 3  # business days left at which a request shows as due soon
    very_overdue_days: int = 5  # business days past due at which it shows as very overdue
    item_due_soon_days: int = 1  # business days left at which a unit is reminded of an item


@dataclass(frozen=True)
class Clarification:
    asked_on: date
    answered_on: date | None = None


def first_counted_day(calendar: BusinessCalendar, received_on: date, rules: LegalRules) -> date:
    """The first business day that counts towards the deadline."""
    if not rules.count_from_next_business_day and calendar.is_business_day(received_on):
        return received_on
    return calendar.next_business_day(received_on)


def _count(calendar: BusinessCalendar, first: date, days: int) -> date:
    """The `days`-th business day counting `first` (a business day) as the first."""
    return calendar.add_business_days(first, days - 1) if days > 0 else first


def due_date(
    calendar: BusinessCalendar,
    received_on: date,
    *,
    rules: LegalRules = LegalRules(),
    old_information: bool = False,
    extended: bool = False,
    clarifications: tuple[Clarification, ...] = (),
) -> date | None:
    """The last day on which the answer is in time; None while a clarification is pending (the
    clock is stopped, so there is no date yet)."""
    days = rules.old_information_days if old_information else rules.answer_days
    if extended:
        days += rules.extension_days
    first = first_counted_day(calendar, received_on, rules)
    paused = 0
    for clarification in sorted(clarifications, key=lambda c: c.asked_on):
        if clarification.answered_on is None:
            return None
        if rules.clarification == ClarificationEffect.RESTART:
            first = first_counted_day(calendar, clarification.answered_on, rules)
            paused = 0
        else:
            paused += calendar.business_days_between(
                clarification.asked_on, clarification.answered_on
            )
    return _count(calendar, first, days + paused)


def extension_allowed(due_on: date, today: date) -> bool:
    """An extension is recorded before the deadline has passed, never after."""
    return today <= due_on


def appeal_deadline(calendar: BusinessCalendar, from_day: date, rules: LegalRules) -> date:
    """The last day of the citizen's window to go to the IAIP, counted from the due date of an
    unanswered request or from the notification of the resolution."""
    return calendar.add_business_days(from_day, rules.appeal_days)


def state(
    calendar: BusinessCalendar, due_on: date | None, today: date, rules: LegalRules
) -> DeadlineState:
    """How the request stands today, judged by date, not time."""
    if due_on is None:
        return DeadlineState.PAUSED
    if today > due_on:
        late = calendar.business_days_between(due_on, today)
        return (
            DeadlineState.VERY_OVERDUE if late > rules.very_overdue_days else DeadlineState.OVERDUE
        )
    left = calendar.business_days_between(today, due_on)
    return DeadlineState.DUE_SOON if left <= rules.due_soon_days else DeadlineState.ON_TIME


@dataclass(frozen=True)
class StateBounds:
    """The due dates that separate the computed states on a given day, so that a list can
    filter and badge requests in SQL by comparing the stored due date with two dates:
    due soon: today <= due_on <= soon_until; overdue: very_overdue_until < due_on < today;
    very overdue: due_on <= very_overdue_until."""

    today: date
    soon_until: date
    very_overdue_until: date


def state_bounds(calendar: BusinessCalendar, today: date, rules: LegalRules) -> StateBounds:
    """The bounds that give the same answer as `state` for every due date (state is monotonic
    in the due date, so walking from today finds where it changes)."""
    day = today
    while state(calendar, day + timedelta(days=1), today, rules) == DeadlineState.DUE_SOON:
        day += timedelta(days=1)
    soon_until = day
    day = today - timedelta(days=1)
    while state(calendar, day, today, rules) != DeadlineState.VERY_OVERDUE:
        day -= timedelta(days=1)
    return StateBounds(today=today, soon_until=soon_until, very_overdue_until=day)


class AlertLevel(IntEnum):
    """How pressing a date is, for reminders: each level is told once."""

    NONE = 0
    DUE_SOON = 1
    OVERDUE = 2


def alert_level(
    calendar: BusinessCalendar, due_on: date, today: date, soon_days: int
) -> AlertLevel:
    """Overdue from the first day after `due_on`; due soon while at most `soon_days` business
    days are left (the same comparison as `state` makes for the list's badge)."""
    if today > due_on:
        return AlertLevel.OVERDUE
    if calendar.business_days_between(today, due_on) <= soon_days:
        return AlertLevel.DUE_SOON
    return AlertLevel.NONE


def next_alert_day(
    calendar: BusinessCalendar, due_on: date, today: date, told: int, soon_days: int
) -> date | None:
    """The first day after `today` on which the level rises above `told` (the level already
    told), or None when overdue was told already: there is nothing left to remind."""
    if told >= AlertLevel.OVERDUE:
        return None
    day = today + timedelta(days=1)
    # Ends by the day after `due_on` at the latest, which is overdue.
    while alert_level(calendar, due_on, day, soon_days) <= told:
        day += timedelta(days=1)
    return day
