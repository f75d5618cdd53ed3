"""Reading the parameters of GET requests.json: the filters of the specification, checked,
with the defaults and limits it sets (the most recent 90 days, at most 90 days, at most 1000
requests). Pure: no database; an invalid value raises Open311Error (400)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from enlace.cases.rules import normalise_tracking_code
from enlace.core import dates
from enlace.open311.errors import Open311Error
from enlace.open311.services import ServiceCode, parse_service_code

MAX_DAYS = 90
MAX_RESULTS = 1000
MAX_IDS = 100  # service_request_id values in one call
OPEN, CLOSED = "open", "closed"


@dataclass(frozen=True)
class RequestFilters:
    start: datetime
    end: datetime
    statuses: frozenset[str] = frozenset({OPEN, CLOSED})
    services: tuple[ServiceCode, ...] = ()
    # Tracking codes: when given, they override every other filter (as the specification says).
    ids: tuple[str, ...] = field(default=())


def _values(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def parse_moment(text: str, name: str) -> datetime:
    """A w3 date-time (2010-01-01T00:00:00Z, or with an offset); without an offset, the
    institute's local time."""
    try:
        moment = parse_datetime(text.strip())
    except ValueError:
        moment = None
    if moment is not None and not dates.in_range(moment):
        raise Open311Error(400, str(dates.OUT_OF_RANGE))
    if moment is None:
        raise Open311Error(
            400,
            _("%(name)s is not a date and time such as 2026-01-31T08:00:00-06:00.")
            % {"name": name},
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def parse_filters(params: dict[str, str], *, now: datetime) -> RequestFilters:
    ids: list[str] = []
    for text in _values(params.get("service_request_id", "")):
        code = normalise_tracking_code(text)
        if code is None:
            raise Open311Error(
                400, _("“%(value)s” is not a service_request_id.") % {"value": text[:40]}
            )
        ids.append(code)
    if len(ids) > MAX_IDS:
        raise Open311Error(
            400, _("Ask for at most %(count)s service_request_id at once.") % {"count": MAX_IDS}
        )

    services: list[ServiceCode] = []
    for text in _values(params.get("service_code", "")):
        service = parse_service_code(text)
        if service is None:
            raise Open311Error(400, _("Unknown service_code “%(value)s”.") % {"value": text[:60]})
        services.append(service)

    statuses = set(_values(params.get("status", "").lower())) or {OPEN, CLOSED}
    if not statuses <= {OPEN, CLOSED}:
        raise Open311Error(400, _("status is open, closed, or both (open,closed)."))

    start_text, end_text = params.get("start_date", ""), params.get("end_date", "")
    start = parse_moment(start_text, "start_date") if start_text.strip() else None
    end = parse_moment(end_text, "end_date") if end_text.strip() else None
    if start is None and end is None:
        end = now
        start = now - timedelta(days=MAX_DAYS)
    elif start is None:
        assert end is not None
        start = end - timedelta(days=MAX_DAYS)
    elif end is None:
        end = start + timedelta(days=MAX_DAYS)
    if end < start:
        raise Open311Error(400, _("end_date is before start_date."))
    if end - start > timedelta(days=MAX_DAYS):
        raise Open311Error(
            400, _("The dates may not span more than %(days)s days.") % {"days": MAX_DAYS}
        )
    return RequestFilters(
        start=start,
        end=end,
        statuses=frozenset(statuses),
        services=tuple(services),
        ids=tuple(ids),
    )
