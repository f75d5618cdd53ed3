"""The rules of a campaign's calls, without the database: what each outcome does to the
contact, when the next attempt may be (within the calling windows, on business days, before the
campaign ends), and the script with the contact's values filled in."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from enlace.campaigns.models import ContactState, Outcome
from enlace.directory.calendar import BusinessCalendar

# Outcomes that end the contact's calls: the purpose was met or cannot be.
FINAL = frozenset(
    {
        Outcome.CONFIRMED,
        Outcome.RESCHEDULED,
        Outcome.CANCELLED,
        Outcome.INFORMED,
        Outcome.SURVEYED,
        Outcome.WRONG_NUMBER,
        Outcome.REFUSED,
        Outcome.DECEASED,
        Outcome.DO_NOT_CALL,
    }
)
# Outcomes after which the person is called again, after the campaign's delay for it.
RETRY = frozenset({Outcome.NO_ANSWER, Outcome.BUSY, Outcome.VOICEMAIL})
# Outcomes that put the person on the do-not-call register.
DO_NOT_CALL = frozenset({Outcome.DECEASED, Outcome.DO_NOT_CALL})
# The person was reached (for the progress: contacted or not).
REACHED = FINAL - {Outcome.WRONG_NUMBER} | {Outcome.CALL_BACK}


@dataclass(frozen=True)
class Window:
    weekday: int  # 0 Monday ... 6 Sunday
    opens: time
    closes: time


# Monday to Friday, 7:30 to 16:30: the call centre's office hours.
DEFAULT_WINDOWS = tuple(Window(day, time(7, 30), time(16, 30)) for day in range(5))


@dataclass(frozen=True)
class Retry:
    max_attempts: int
    busy_minutes: int
    no_answer_minutes: int
    voicemail_minutes: int

    def delay(self, outcome: str) -> timedelta:
        minutes = {
            Outcome.BUSY: self.busy_minutes,
            Outcome.NO_ANSWER: self.no_answer_minutes,
            Outcome.VOICEMAIL: self.voicemail_minutes,
        }[Outcome(outcome)]
        return timedelta(minutes=minutes)


@dataclass(frozen=True)
class Next:
    """The contact after an outcome."""

    state: str
    next_attempt_at: datetime | None = None
    callback: bool = False


def closed(day: date, calendar: BusinessCalendar) -> bool:
    """A holiday or an institutional closure: no calls, whatever the windows say (a weekend is
    closed unless the campaign has a window on it)."""
    return day in calendar.non_working


def calling_day(day: date, calendar: BusinessCalendar, ends_on: date) -> bool:
    """Whether the campaign may call at all on `day`: not after its end, not closed."""
    return day <= ends_on and not closed(day, calendar)


def in_window(
    moment: datetime, windows: Sequence[Window], calendar: BusinessCalendar, ends_on: date
) -> bool:
    """Whether the campaign may call at `moment` (local time): on a calling day, inside a
    window of that weekday (opens <= time < closes; actions.py `do_claim_next` asks the same
    of the windows' rows in SQL)."""
    local = timezone.localtime(moment)
    if not calling_day(local.date(), calendar, ends_on):
        return False
    now = local.time()
    return any(w.weekday == local.weekday() and w.opens <= now < w.closes for w in windows)


def next_slot(
    after: datetime,
    windows: Sequence[Window],
    calendar: BusinessCalendar,
    ends_on: date,
) -> datetime | None:
    """The first moment at or after `after` inside a calling window on a day that is not a
    holiday, no later than the campaign's last day; None if there is none."""
    local = timezone.localtime(after)
    day = local.date()
    tz = timezone.get_current_timezone()
    while day <= ends_on:
        if not closed(day, calendar):
            for window in sorted(
                (w for w in windows if w.weekday == day.weekday()), key=lambda w: w.opens
            ):
                start = datetime.combine(day, window.opens, tzinfo=tz)
                end = datetime.combine(day, window.closes, tzinfo=tz)
                if local < end:
                    return max(local, start)
        day += timedelta(days=1)
        local = datetime.combine(day, time.min, tzinfo=tz)
    return None


def after_outcome(
    outcome: str,
    *,
    attempts: int,
    now: datetime,
    retry: Retry,
    windows: Sequence[Window],
    calendar: BusinessCalendar,
    ends_on: date,
    call_back_at: datetime | None = None,
) -> Next:
    """What the contact becomes after the call numbered `attempts` (counting this one) ended
    with `outcome`."""
    if outcome in FINAL:
        return Next(ContactState.DONE)
    if outcome == Outcome.CALL_BACK:
        if call_back_at is None:
            raise ValueError("a call back needs its time")
        return Next(ContactState.TO_CALL, call_back_at, callback=True)
    if outcome not in RETRY:
        raise ValueError(f"unknown outcome {outcome!r}")
    if attempts >= retry.max_attempts:
        return Next(ContactState.UNREACHABLE)
    slot = next_slot(now + retry.delay(outcome), windows, calendar, ends_on)
    if slot is None:
        return Next(ContactState.UNREACHABLE)
    return Next(ContactState.TO_CALL, slot)


PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_]+)\}")


def fill_script(script: str, values: Mapping[str, Any]) -> str:
    """The script with each {column} replaced by the contact's value; an unknown placeholder
    stays as written, so the agent sees what is missing."""

    def value(match: re.Match[str]) -> str:
        found = values.get(match.group(1).lower())
        return match.group(0) if found in (None, "") else str(found)

    return PLACEHOLDER.sub(value, script)


def placeholders(script: str) -> list[str]:
    return list(dict.fromkeys(name.lower() for name in PLACEHOLDER.findall(script)))
