"""Pure rules of the OIR: the correlative number's format, the request's lifecycle, the
legal rules as configured, and small date helpers. No database access here."""

from __future__ import annotations

import re
from datetime import date

from django.conf import settings
from django.utils.translation import gettext as _

from enlace.core.errors import BusinessError
from enlace.oir.deadlines import ClarificationEffect, LegalRules

NUMBER_PREFIX = "OIR"


def format_number(year: int, sequence: int) -> str:
    """`OIR-2026-0001`: per year, at least four digits (more after 9999)."""
    return f"{NUMBER_PREFIX}-{year}-{sequence:04d}"


def add_years(day: date, years: int) -> date:
    """The same day `years` later (29 February becomes 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def legal_rules() -> LegalRules:
    """The LAIP's numbers with the choices the institution's rules make, from settings
    (config/settings.py): OIR_COUNT_FROM_NEXT_BUSINESS_DAY and OIR_CLARIFICATION_EFFECT."""
    return LegalRules(
        count_from_next_business_day=settings.OIR_COUNT_FROM_NEXT_BUSINESS_DAY,
        clarification=ClarificationEffect(settings.OIR_CLARIFICATION_EFFECT),
    )


_NUMBER = re.compile(r"(?:OIR)?-?(\d{4})-(\d{1,7})")


def parse_number(text: str) -> tuple[int, int] | None:
    """(year, sequence) of a request number as a citizen may type it: `OIR-2026-0001`, in any
    case, with spaces, or without the prefix (`2026-1`); None if it is not one."""
    match = _NUMBER.fullmatch("".join(text.split()).upper())
    if match is None:
        return None
    year, sequence = int(match.group(1)), int(match.group(2))
    return (year, sequence) if sequence > 0 else None


def identity_key(text: str) -> str:
    """A document number as compared for tracking: letters and digits only, upper case, so
    `04567890-3`, `045678903` and ` 04567890 3 ` are the same DUI."""
    return "".join(c for c in text if c.isalnum()).upper()


# The request's lifecycle: which status may follow which (the only place it lives).
RECEIVED, CLARIFICATION, IN_PROCESS, EXTENDED, RESOLVED, NOTIFIED = (
    "received",
    "clarification",
    "in_process",
    "extended",
    "resolved",
    "notified",
)
TRANSITIONS: dict[str, frozenset[str]] = {
    RECEIVED: frozenset({CLARIFICATION, IN_PROCESS, EXTENDED, RESOLVED}),
    CLARIFICATION: frozenset({RECEIVED, IN_PROCESS, RESOLVED}),
    IN_PROCESS: frozenset({CLARIFICATION, EXTENDED, RESOLVED}),
    EXTENDED: frozenset({RESOLVED}),
    RESOLVED: frozenset({NOTIFIED}),
    NOTIFIED: frozenset(),
}


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def check_transition(current: str, target: str, labels: dict[str, str]) -> None:
    if not can_transition(current, target):
        raise BusinessError(
            _("A request that is %(current)s cannot become %(target)s.")
            % {"current": labels.get(current, current), "target": labels.get(target, target)},
            code="transition",
        )
