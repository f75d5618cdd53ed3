"""Report endpoints: the same figures as the pages and the `report` command."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from enlace.accounts.models import User
from enlace.apikeys.auth import narrow_to_key
from enlace.cases.permissions import Capability, has_capability, report_scope
from enlace.core.api import ErrorOut, PeriodQuery
from enlace.reports.mechanisms import mechanisms_report
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


class YearQuery(Schema):
    year: int = Field(ge=2000, le=2100)


@router.get(
    "/mechanisms",
    response={200: dict[str, Any], 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    url_name="mechanisms",
    operation_id="mechanisms_report",
)
def mechanisms(request: HttpRequest, query: Query[YearQuery]) -> dict[str, Any]:
    """Seed 002's table of participation mechanisms for a year (the institution's; refused to
    a user or key limited to some centres)."""
    user = _reporting_user(request)
    if narrow_to_key(request, report_scope(user)) is not None:
        raise PermissionDenied(_("Your role does not see the institution's reports."))
    return mechanisms_report(query.year)
