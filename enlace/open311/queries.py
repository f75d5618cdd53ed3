"""Every read of service requests: which cases a caller may see, the filtered list (in SQL,
over the indexed columns of the case list: received_at, status, opinion type, topic, centre),
one request, and a token. Rows are read as values, never as whole cases: an anonymous reader's
query does not even load the description or the citizen's data."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.apikeys.models import ApiKey
from enlace.cases.lifecycle import FINAL_STATUSES, OPEN_STATUSES, CaseStatus
from enlace.cases.models import Case
from enlace.cases.queries import visible_cases
from enlace.cases.rules import format_tracking_code
from enlace.catalogues.models import InquiryTopic, OpinionType
from enlace.open311.errors import Open311Error
from enlace.open311.params import CLOSED, MAX_RESULTS, OPEN, RequestFilters
from enlace.open311.services import INQUIRY, OPINION, service_code_of

_PUBLIC_FIELDS = (
    "tracking_code",
    "kind",
    "status",
    "received_at",
    "updated_at",
    "next_due_on",
    "opinion_type__code",
    "opinion_type__name",
    "topic__code",
    "topic__name",
    "dependency__name",
)


def readable_cases(key: ApiKey | None) -> QuerySet[Case]:
    """The cases a caller may read: a key's, within its account's scope and its centres; an
    anonymous reader's (only when OPEN311_PUBLIC_REQUESTS allows it): every classified case,
    of which only the fields without personal data are ever read."""
    if key is None:
        return Case.objects.filter(to_classify=False)
    cases = visible_cases(key.user)
    allowed = key.dependency_ids()
    if allowed is not None:
        cases = cases.filter(dependency_id__in=allowed)
    return cases


def _service_filter(filters: RequestFilters) -> Q:
    opinion_codes = {s.code for s in filters.services if s.group == OPINION}
    topic_codes = {s.code for s in filters.services if s.group == INQUIRY}
    types = dict(OpinionType.objects.filter(code__in=opinion_codes).values_list("code", "id"))
    topics = dict(InquiryTopic.objects.filter(code__in=topic_codes).values_list("code", "id"))
    unknown = (opinion_codes - types.keys()) | (topic_codes - topics.keys())
    if unknown:
        raise Open311Error(
            400, _("Unknown service_code: %(codes)s.") % {"codes": ", ".join(sorted(unknown))}
        )
    wanted = Q(pk__in=[])
    if types:
        wanted |= Q(kind=OPINION, opinion_type_id__in=types.values())
    if topics:
        wanted |= Q(kind=INQUIRY, topic_id__in=topics.values())
    return wanted


def request_list(
    cases: QuerySet[Case], filters: RequestFilters, *, with_description: bool
) -> list[dict[str, Any]]:
    """The requests that match, newest first, at most MAX_RESULTS."""
    if filters.ids:
        cases = cases.filter(tracking_code__in=filters.ids)
    else:
        cases = cases.filter(received_at__gte=filters.start, received_at__lte=filters.end)
        if filters.statuses == {OPEN}:
            cases = cases.filter(status__in=OPEN_STATUSES)
        elif filters.statuses == {CLOSED}:
            cases = cases.filter(status__in=FINAL_STATUSES)
        if filters.services:
            cases = cases.filter(_service_filter(filters))
    fields = (*_PUBLIC_FIELDS, "description") if with_description else _PUBLIC_FIELDS
    rows = cases.order_by("-received_at", "-id").values(*fields)[:MAX_RESULTS]
    return [as_request(row) for row in rows]


def one_request(
    cases: QuerySet[Case], tracking_code: str, *, with_description: bool
) -> dict[str, Any] | None:
    fields = (*_PUBLIC_FIELDS, "description") if with_description else _PUBLIC_FIELDS
    row = cases.filter(tracking_code=tracking_code).values(*fields).first()
    return as_request(row) if row is not None else None


def tracking_code_of_token(token: str, *, created_by: User) -> str | None:
    """The tracking code of the case a POST of `created_by`'s keys answered with `token`, or
    None. Only cases an API key registered: the tokens of the console's and the portal's forms
    are not resolved."""
    try:
        value = uuid.UUID(token)
    except ValueError:
        return None
    code = (
        Case.objects.filter(
            intake_token=value, created_by=created_by, created_by__api_key__isnull=False
        )
        .values_list("tracking_code", flat=True)
        .first()
    )
    return format_tracking_code(code) if code else None


def iso(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def as_request(row: dict[str, Any]) -> dict[str, Any]:
    """One service request as the specification names its fields."""
    due = row["next_due_on"]
    # A deadline is met until the end of its day (local time).
    expected = timezone.make_aware(datetime.combine(due, time(23, 59, 59))) if due else None
    request = {
        "service_request_id": format_tracking_code(row["tracking_code"]),
        "status": OPEN if row["status"] in OPEN_STATUSES else CLOSED,
        "status_notes": str(CaseStatus(row["status"]).label),
        "service_name": row["opinion_type__name"] or row["topic__name"] or _("To classify"),
        "service_code": service_code_of(row["kind"], row["opinion_type__code"], row["topic__code"]),
        "agency_responsible": row["dependency__name"] or "",
        "service_notice": "",
        "requested_datetime": iso(row["received_at"]),
        "updated_datetime": iso(row["updated_at"]),
        "expected_datetime": iso(expected),
        "address": "",
        "address_id": "",
        "zipcode": "",
        "lat": None,
        "long": None,
        "media_url": "",
    }
    if "description" in row:
        request["description"] = row["description"]
    return request
