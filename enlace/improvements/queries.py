"""Reads of improvement opportunities, scoped by role in one place."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.cases.permissions import Capability, has_capability, report_scope
from enlace.improvements.models import ImprovementOpportunity


def can_see_improvements(user: User) -> bool:
    return has_capability(user, Capability.IMPROVE) or has_capability(user, Capability.VIEW_REPORTS)


def visible_improvements(user: User) -> QuerySet[ImprovementOpportunity]:
    if not can_see_improvements(user):
        return ImprovementOpportunity.objects.none()
    scope = report_scope(user)
    queryset = ImprovementOpportunity.objects.all()
    return queryset if scope is None else queryset.filter(dependency_id__in=scope)


def access_improvement_for_user(
    user: User, pk: int, *, for_change: bool = False
) -> ImprovementOpportunity:
    try:
        opportunity = visible_improvements(user).select_related("dependency", "owner").get(pk=pk)
    except ImprovementOpportunity.DoesNotExist:
        raise Http404(_("No such improvement opportunity.")) from None
    if for_change and not has_capability(user, Capability.IMPROVE):
        raise PermissionDenied(_("Your role does not change improvement opportunities."))
    return opportunity
