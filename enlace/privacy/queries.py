"""The reads of data protection, one access function per object: only the data-protection
officer (or a superuser) reaches any of them; anyone else is refused with 403, an unknown
object is 404."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Min, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from enlace.privacy import access, registry
from enlace.privacy.models import (
    OPEN_SUBJECT_STATUSES,
    Breach,
    BreachStatus,
    PersonalDataAccess,
    SubjectRequest,
    UnusualAccess,
)
from enlace.privacy.permissions import is_dpo

ACCESS_ROWS_SHOWN = 200


def require_dpo(user: Any) -> None:
    if not is_dpo(user):
        raise PermissionDenied(_("Only the data-protection officer works with these records."))


def access_subject_request(user: Any, pk: int) -> SubjectRequest:
    require_dpo(user)
    found = SubjectRequest.objects.filter(pk=pk).select_related("created_by").first()
    if found is None:
        raise Http404(_("No such request."))
    return found


def access_breach(user: Any, pk: int) -> Breach:
    require_dpo(user)
    found = Breach.objects.filter(pk=pk).select_related("created_by").first()
    if found is None:
        raise Http404(_("No such breach."))
    return found


def access_unusual(user: Any, pk: int) -> UnusualAccess:
    require_dpo(user)
    found = UnusualAccess.objects.filter(pk=pk).first()
    if found is None:
        raise Http404(_("No such alert."))
    return found


def subject_requests(status: str = "") -> QuerySet[SubjectRequest]:
    """The requests, soonest due first; the open ones by default."""
    requests = SubjectRequest.objects.all()
    if status == "open" or not status:
        requests = requests.filter(status__in=OPEN_SUBJECT_STATUSES)
    elif status != "all":
        requests = requests.filter(status=status)
    return requests.order_by("due_on", "id")


def overview() -> dict[str, int]:
    """The counts of the officer's home page, in three queries."""
    requests = SubjectRequest.objects.filter(status__in=OPEN_SUBJECT_STATUSES).aggregate(
        open=Count("id"),
        due_soon=Count("id", filter=Q(alert_level=1)),
        overdue=Count("id", filter=Q(alert_level=2)),
    )
    breaches = Breach.objects.exclude(status=BreachStatus.CLOSED).aggregate(
        open=Count("id"), unnotified=Count("id", filter=~Q(status=BreachStatus.NOTIFIED))
    )
    unusual = UnusualAccess.objects.filter(reviewed_at__isnull=True).count()
    return {
        "requests_open": requests["open"],
        "requests_due_soon": requests["due_soon"],
        "requests_overdue": requests["overdue"],
        "breaches_open": breaches["open"],
        "breaches_unnotified": breaches["unnotified"],
        "unusual": unusual,
    }


def accesses_of_person(
    identifiers: registry.Identifiers, before: datetime | None = None
) -> QuerySet[PersonalDataAccess]:
    """Who saw this person's data: the accesses to their cases and requests, and the searches
    made with their identifiers. The records are found by the holders (their ids only)."""
    case_ids: list[int] = []
    request_ids: list[int] = []
    for _holder, records in registry.find_everything(identifiers):
        for record in records:
            if record.logged_as == "case":
                case_ids.append(record.object_id)
            elif record.logged_as == "information_request":
                request_ids.append(record.object_id)
    condition = Q(case_id__in=case_ids) | Q(information_request_id__in=request_ids)
    for value in (identifiers.dui, identifiers.email, identifiers.phone):
        if value:
            condition |= Q(subject__contains=value)
    return _shown(access.log().filter(condition), before)


def accesses_by_user(username: str, before: datetime | None = None) -> QuerySet[PersonalDataAccess]:
    return _shown(access.log().filter(user__username=username), before)


def _shown(
    rows: QuerySet[PersonalDataAccess], before: datetime | None
) -> QuerySet[PersonalDataAccess]:
    if before is not None:
        rows = rows.filter(at__lt=before)
    return rows.select_related("user", "api_key", "case").order_by("-at", "-id")[:ACCESS_ROWS_SHOWN]


def viewers_of_case(case_id: int) -> list[dict[str, Any]]:
    """Who has seen a case's personal data, each once: their name and role, the first and the
    last time, how many times. One GROUP BY over the access log's index by case."""
    rows = (
        access.log()
        .filter(case_id=case_id, user__isnull=False)
        .values("user_id", "user__username", "user__first_name", "user__last_name", "user__role")
        .annotate(first=Min("at"), last=Max("at"), times=Count("id"))
        .order_by("first", "user_id")
    )
    return [dict(row) for row in rows]
