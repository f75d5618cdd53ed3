"""The events other systems may subscribe to, and which case history rows give rise to them.

Pure: no database. A case's history is rows (`CaseEvent`); each row kind that matters outside
maps to one of five event types. The mapping reads only the row's kind and the status it moved
the case to, so it is decided here and nowhere else.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from enlace.cases.lifecycle import CaseStatus
from enlace.cases.models import EventKind


class EventType(models.TextChoices):
    CREATED = "case.created", _("Case created")
    ASSIGNED = "case.assigned", _("Case assigned to a centre")
    ANSWERED = "case.answered", _("Case answered")
    CLOSED = "case.closed", _("Case closed (also merged or voided)")
    OVERDUE = "case.overdue", _("Case deadline missed")
    # A call campaign ended (enlace/campaigns): for the dependency that asked for it.
    CAMPAIGN_FINISHED = "campaign.finished", _("Call campaign finished")


_BY_KIND: dict[str, EventType] = {
    EventKind.REGISTERED: EventType.CREATED,
    EventKind.ASSIGNED: EventType.ASSIGNED,
    EventKind.ANSWERED: EventType.ANSWERED,
    EventKind.CLOSED: EventType.CLOSED,
    EventKind.DEADLINE_MISSED: EventType.OVERDUE,
}
# A case that leaves the open statuses by being merged into another or voided is, for a system
# that follows open cases, closed: the payload's status tells which.
_FINAL = frozenset({CaseStatus.CLOSED, CaseStatus.MERGED, CaseStatus.VOID})


def event_type_for(kind: str, to_status: str = "") -> EventType | None:
    """The event type a history row of `kind` (moving the case to `to_status`) announces, or
    None for a row other systems are not told about (a comment, a reminder, ...)."""
    if kind in _BY_KIND:
        return _BY_KIND[kind]
    if to_status in _FINAL:
        return EventType.CLOSED
    return None
