"""Reads of report subscriptions, with who may read what decided in one place.

Every staff member who reads reports (`Capability.VIEW_REPORTS`) keeps their own
subscriptions; the administrators see and may end everybody's. Which reports a person may
receive is each report's own rule (`registry.Report.allowed`), and a centre's report is of the
person's own centre when their `report_scope` is limited (a liaison).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from enlace.accounts.models import Role, User
from enlace.cases.permissions import Capability, has_capability
from enlace.subscriptions.models import ReportSubscription

# Who sees every subscription (and may end any): those who run the system.
MANAGERS = frozenset({Role.ADMINISTRATOR})


def can_subscribe(user: User) -> bool:
    return has_capability(user, Capability.VIEW_REPORTS)


def can_see_all(user: User) -> bool:
    return user.is_active and (user.is_superuser or user.role in MANAGERS)


def _listed(queryset: QuerySet[ReportSubscription]) -> QuerySet[ReportSubscription]:
    """What a list shows of each: its centre, how many periods were sent and the last."""
    return queryset.select_related("centre").annotate(
        delivered=Count("deliveries"), last_period=Max("deliveries__period_end")
    )


def own_subscriptions(user: User) -> QuerySet[ReportSubscription]:
    if not can_subscribe(user):
        raise PermissionDenied(_("Your role does not see reports."))
    return _listed(ReportSubscription.objects.filter(user=user)).order_by("-active", "-id")


def all_subscriptions(user: User) -> QuerySet[ReportSubscription]:
    if not can_see_all(user):
        raise PermissionDenied(_("Only administrators see every subscription."))
    return _listed(ReportSubscription.objects.select_related("user")).order_by("-active", "-id")


def access_subscription_for_user(user: User, pk: int) -> ReportSubscription:
    """One subscription the user may end: their own, or any for an administrator (another
    person's is a 404: its existence is not revealed)."""
    subscriptions = ReportSubscription.objects.all()
    if not can_see_all(user):
        subscriptions = subscriptions.filter(user=user)
    try:
        return subscriptions.select_related("centre").get(pk=pk)
    except ReportSubscription.DoesNotExist:
        raise Http404(_("No such subscription.")) from None
