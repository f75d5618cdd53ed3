"""The dates Enlace takes: from 1 January 2000 to 31 December 2100. Nothing it keeps lies
outside, and a date at the calendar's ends (year 1, year 9999) would overflow when a day is
added to it or a time zone applied. Every form field, API query, cursor and event of another
system that takes a date checks it here, with a clear error in the request's language."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
OUT_OF_RANGE = _("Give a date from 01/01/2000 to 31/12/2100.")


def in_range(value: date | datetime) -> bool:
    day = value.date() if isinstance(value, datetime) else value
    return EARLIEST <= day <= LATEST


def check(value: date | datetime) -> None:
    if not in_range(value):
        raise ValidationError(OUT_OF_RANGE, code="date_range")


class DateField(forms.DateField):
    """Django's DateField, within Enlace's dates."""

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None:
            check(value)


class DateTimeField(forms.DateTimeField):
    """Django's DateTimeField, within Enlace's dates (checked before the time zone applies)."""

    def to_python(self, value: Any) -> datetime | None:
        if isinstance(value, str) and value.strip():
            try:
                naive = datetime.fromisoformat(value.strip())
            except ValueError:
                naive = None
            if naive is not None:
                check(naive)
        return super().to_python(value)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None:
            check(value)
