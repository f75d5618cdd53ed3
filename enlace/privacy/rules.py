"""The deadlines of data protection, as pure date arithmetic on the business-day calendar.

A request over one's data is answered within 20 business days, counted from the business day
after it was received, extendable once by 20 more for a recorded reason (D.L. 144 of 2024). A
breach is notified to the authority and the people affected within 72 hours of its discovery.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from enlace.directory.calendar import BusinessCalendar

ANSWER_BUSINESS_DAYS = 20
EXTENSION_BUSINESS_DAYS = 20
DUE_SOON_BUSINESS_DAYS = 5
BREACH_NOTICE = timedelta(hours=72)


def request_due_on(calendar: BusinessCalendar, received_on: date, *, extended: bool) -> date:
    days = ANSWER_BUSINESS_DAYS + (EXTENSION_BUSINESS_DAYS if extended else 0)
    return calendar.add_business_days(received_on, days)


def breach_due_at(discovered_at: datetime) -> datetime:
    return discovered_at + BREACH_NOTICE


def format_number(year: int, sequence: int) -> str:
    return f"ARCO-{year}-{sequence:04d}"
