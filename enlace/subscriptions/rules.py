"""The periods a subscribed report covers, as pure date arithmetic (no database).

A month is a calendar month; a quarter is January-March, April-June, July-September or
October-December; a semester is January-June or July-December. A subscription always holds
the last day of the next period to produce; the sweeper takes it at `REPORT_TIME` on the day
after that period ends (the night's late entries counted, the mail there at the start of the
working day).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from django.db import models
from django.utils.translation import gettext_lazy as _

# A report is produced at this local time on the day after its period ends.
REPORT_TIME = time(6, 0)
# After a failure to render, the sweeper tries again after these minutes (then the last, daily).
RETRY_MINUTES = (10, 60, 360, 1440)


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    SEMESTER = "semester", _("Every semester")


MONTHS = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.SEMESTER: 6}


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive


def period_containing(frequency: str, day: date) -> Period:
    """The month, quarter or semester `day` falls in."""
    months = MONTHS[Frequency(frequency)]
    first = (day.month - 1) // months * months + 1
    last = first + months - 1
    return Period(
        date(day.year, first, 1), date(day.year, last, calendar.monthrange(day.year, last)[1])
    )


def period_ending(frequency: str, end: date) -> Period:
    """The period whose last day is `end` (which must be one: see `period_containing`)."""
    period = period_containing(frequency, end)
    if period.end != end:
        raise ValueError(f"{end} ends no {frequency} period")
    return period


def first_period(frequency: str, today: date) -> Period:
    """What a subscription made on `today` receives first: the period under way, when it ends
    (never the periods already over: no back-fill)."""
    return period_containing(frequency, today)


def next_period(frequency: str, after: Period) -> Period:
    """The period that follows `after`."""
    return period_containing(frequency, after.end + timedelta(days=1))


def due_at(end: date, zone: tzinfo) -> datetime:
    """When the sweeper produces the period ending on `end`."""
    return datetime.combine(end + timedelta(days=1), REPORT_TIME, zone)


def retry_after(failures: int) -> timedelta:
    """How long to wait after the `failures`-th failure in a row (1, 2, ...)."""
    return timedelta(minutes=RETRY_MINUTES[min(max(failures, 1), len(RETRY_MINUTES)) - 1])
