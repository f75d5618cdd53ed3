"""Report endpoints: the same figures as the pages and the `report` command."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from enlace.accounts.models import User
from enlace.apikeys.auth import narrow_to_key
from enlace.cases.permissions import Capability, has_capability, report_scope
from enlace.core.api import ErrorOut, PeriodQuery
from enlace.reports.participation import Period, participation_report

router = Router(tags=["reports"])


def _reporting_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not has_capability(user, Capability.VIEW_REPORTS):
        raise PermissionDenied(_("Your role does not see reports."))
    return user


@router.get(
    "/participation",
    response={200: dict[str, Any], 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    url_name="participation",
    operation_id="participation_report",
)
def participation(request: HttpRequest, period: Query[PeriodQuery]) -> dict[str, Any]:
    """The participation report (seed 003's sections) for a period, scoped to the user's
    centres for a liaison."""
    user = _reporting_user(request)
    return participation_report(
        Period(period.date_from, period.date_to),
        dependency_ids=narrow_to_key(request, report_scope(user)),  # an API key's centres too
    )
