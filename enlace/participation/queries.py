"""Reads of the participation records: who may see them, and one access function per object."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.cases.permissions import Capability, has_capability
from enlace.participation.models import (
    EventEvidence,
    InformationMedium,
    Mechanism,
    ParticipationEvent,
    SocialAccount,
)


def can_keep(user: User) -> bool:
    return has_capability(user, Capability.MANAGE_PARTICIPATION)


def require_keeper(user: User) -> None:
    if not can_keep(user):
        raise PermissionDenied(_("Your role does not keep the participation records."))


def events(user: User) -> QuerySet[ParticipationEvent]:
    require_keeper(user)
    return ParticipationEvent.objects.select_related("mechanism", "municipality")


def access_event(user: User, pk: int) -> ParticipationEvent:
    return get_object_or_404(events(user), pk=pk)


def access_evidence(user: User, event_pk: int, pk: int) -> EventEvidence:
    require_keeper(user)
    return get_object_or_404(EventEvidence, event_id=event_pk, pk=pk)


def access_account(user: User, pk: int) -> SocialAccount:
    require_keeper(user)
    return get_object_or_404(SocialAccount, pk=pk)


def access_medium(user: User, pk: int) -> InformationMedium:
    require_keeper(user)
    return get_object_or_404(InformationMedium, pk=pk)


def access_mechanism(user: User, code: str) -> Mechanism:
    require_keeper(user)
    return get_object_or_404(Mechanism, code=code)
