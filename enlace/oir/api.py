"""The OIR statistics as JSON: GET /api/v1/reports/oir?from=YYYY-MM-DD&to=YYYY-MM-DD."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from enlace.accounts.models import User
from enlace.core.api import ErrorOut, PeriodQuery
from enlace.oir.permissions import can_view_statistics
from enlace.oir.statistics import Period, oir_statistics

router = Router(tags=["reports"])


@router.get(
    "",
    response={200: dict[str, Any], 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    url_name="oir_statistics",
    operation_id="oir_statistics",
)
def statistics(request: HttpRequest, period: Query[PeriodQuery]) -> dict[str, Any]:
    """Requests, items, outcomes, time to answer (average and median business days, by the
    five-year rule), extensions, appeals and their results, notification medium, requester
    profile and channel, for the period."""
    user = request.user
    if not isinstance(user, User) or not can_view_statistics(user):
        raise PermissionDenied(_("Your role does not see the OIR statistics."))
    return oir_statistics(Period(period.date_from, period.date_to))
