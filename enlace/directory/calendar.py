"""Business days: Monday to Friday, minus El Salvador's national holidays (the `holidays`
package, country SV) and the institute's own closures (InstitutionalClosure rows).

`BusinessCalendar` is pure: it is given the set of non-working dates and does the arithmetic,
so deadline maths is tested without a database. `business_calendar()` builds one from the
holidays package and the closures table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays

COUNTRY = "SV"
SATURDAY = 5


@dataclass(frozen=True)
class BusinessCalendar:
    non_working: frozenset[date] = field(default_factory=frozenset)

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < SATURDAY and day not in self.non_working

    def next_business_day(self, day: date) -> date:
        """The first business day strictly after `day`."""
        day += timedelta(days=1)
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day

    def add_business_days(self, start: date, days: int) -> date:
        """The date `days` business days after `start`; counting begins the next business
        day, so a case received on Friday with 1 day is due on Monday. With 0, `start` itself
        (or the next business day if `start` is not one)."""
        if days < 0:
            raise ValueError("days must not be negative")
        day = start
        if days == 0:
            return day if self.is_business_day(day) else self.next_business_day(day)
        for _ in range(days):
            day = self.next_business_day(day)
        return day

    def previous_business_day(self, day: date) -> date:
        """The last business day strictly before `day`."""
        day -= timedelta(days=1)
        while not self.is_business_day(day):
            day -= timedelta(days=1)
        return day

    def subtract_business_days(self, end: date, days: int) -> date:
        """The business day `days` business days before `end`."""
        for _ in range(days):
            end = self.previous_business_day(end)
        return end

    def business_days_between(self, start: date, end: date) -> int:
        """How many business days fall after `start` up to and including `end` (0 if
        `end` <= `start`): the business days a case took from receipt to answer."""
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_business_day(day):
                count += 1
        return count


def national_holidays(years: Iterable[int], subdivision: str | None = None) -> dict[date, str]:
    """El Salvador's holidays for those years, with Spanish names."""
    return dict(
        holidays.country_holidays(COUNTRY, subdiv=subdivision, years=list(years), language="es")
    )


@lru_cache(maxsize=64)
def _holiday_dates(first_year: int, last_year: int, subdivision: str | None) -> frozenset[date]:
    """The dates of `national_holidays` for a span of years: a pure function of its
    arguments (the package's rules), so each process computes a span once (about 1 ms)."""
    return frozenset(national_holidays(range(first_year, last_year + 1), subdivision))


def business_calendar(around: date, *, subdivision: str | None = None) -> BusinessCalendar:
    """The calendar for deadlines counted from `around`: holidays of that year, the one before
    and the two after (deadlines and pauses can cross a new year), plus institutional closures
    in that span (reference data: no query once the process has read them)."""
    from enlace.directory.queries import closure_dates

    years = range(around.year - 1, around.year + 3)
    first, last = date(years[0], 1, 1), date(years[-1], 12, 31)
    non_working = set(_holiday_dates(years[0], years[-1], subdivision))
    non_working.update(day for day in closure_dates() if first <= day <= last)
    return BusinessCalendar(frozenset(non_working))
