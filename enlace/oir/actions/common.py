"""What the OIR's actions share: the locks (a request before its items), the moves of the
lifecycle, the legal due date recomputed, the correlative numbers, the history row."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.core.errors import BusinessError
from enlace.directory.calendar import business_calendar
from enlace.oir import deadlines, history, rules, sweeper
from enlace.oir.models import (
    OPEN_REQUEST_STATUSES,
    InformationRequest,
    RequestCounter,
    RequestEvent,
    RequestItem,
    RequestStatus,
)

STATUS_LABELS = {value: str(label) for value, label in RequestStatus.choices}
# What planning the reminders writes on a request or an item.
ALERT_FIELDS = ("alert_level", "next_check_at")


def today() -> date:
    return timezone.localdate()


def record_event(
    request: InformationRequest,
    kind: str,
    actor: User | None,
    *,
    item: RequestItem | None = None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    changes: dict[str, Any] | None = None,
) -> RequestEvent:
    """The request's history row, through the one history (enlace/oir/history.py)."""
    return history.record(
        request,
        kind,
        actor,
        item=item,
        from_status=from_status,
        to_status=to_status,
        note=note,
        changes=changes,
    )


def locked(request: InformationRequest) -> InformationRequest:
    return InformationRequest.objects.select_for_update().get(pk=request.pk)


def locked_item(item: RequestItem) -> tuple[InformationRequest, RequestItem]:
    """Lock the request first, then the item: every writer takes them in that order."""
    request = InformationRequest.objects.select_for_update().get(pk=item.request_id)
    return request, RequestItem.objects.select_for_update().get(pk=item.pk)


def move(request: InformationRequest, target: str) -> str:
    rules.check_transition(request.status, target, STATUS_LABELS)
    previous = request.status
    request.status = target
    return previous


def require_open(request: InformationRequest) -> None:
    if request.status not in OPEN_REQUEST_STATUSES:
        raise BusinessError(_("This request is already resolved."), code="resolved")


def recompute_due(request: InformationRequest) -> None:
    """The legal due date from its inputs; when it changes (or the clock stops), the
    officer's reminders start afresh for the new date (enlace/oir/sweeper.py)."""
    before = request.due_on
    calendar = business_calendar(request.received_on)
    clarifications = (
        tuple(
            deadlines.Clarification(asked_on=c.asked_on, answered_on=c.answered_on)
            for c in request.clarifications.all()
        )
        if request.pk
        else ()
    )
    request.due_on = deadlines.due_date(
        calendar,
        request.received_on,
        rules=rules.legal_rules(),
        old_information=request.old_information,
        extended=request.extended,
        clarifications=clarifications,
    )
    if request.pk is None or request.due_on != before:
        sweeper.plan_request_alerts(request, calendar, today(), rules.legal_rules())


def next_sequence(year: int) -> int:
    """The next correlative number of `year`, under a lock on the year's counter row: gap-free
    (a rolled-back request gives its number back) and unique under concurrency."""
    counter = RequestCounter.objects.select_for_update().filter(year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                RequestCounter.objects.create(year=year, last=0)
        except IntegrityError:
            pass  # another request made the row first; lock it below
        counter = RequestCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def day_text(day: date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""
