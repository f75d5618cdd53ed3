"""Reads of the suggestion boxes: who may, the openings, and an opening's progress."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.cases.permissions import Capability, has_capability
from enlace.suggestionbox.models import BoxOpening


def check_may_open_boxes(user: User) -> None:
    if not has_capability(user, Capability.OPEN_BOX):
        raise PermissionDenied(_("Your role does not open suggestion boxes."))


def openings(user: User) -> QuerySet[BoxOpening]:
    """The openings with their count of forms transcribed (`transcribed`)."""
    check_may_open_boxes(user)
    return BoxOpening.objects.select_related("dependency", "opened_by").annotate(
        transcribed=Count("forms")
    )


def access_opening_for_user(user: User, opening_id: int) -> BoxOpening:
    try:
        return openings(user).get(pk=opening_id)
    except BoxOpening.DoesNotExist:
        raise Http404(_("No such opening.")) from None


def next_numbers(opening: BoxOpening, size: int) -> list[int]:
    """The numbers of the next forms to transcribe: the lowest not yet done, up to the count."""
    done = set(opening.forms.values_list("number", flat=True))
    free = (n for n in range(1, opening.forms_found + 1) if n not in done)
    return [n for _i, n in zip(range(size), free, strict=False)]
