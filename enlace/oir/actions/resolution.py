"""The resolution, its notification (by e-mail or another medium) and the public register."""

from __future__ import annotations

from datetime import date, datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.core.errors import BusinessError
from enlace.directory.calendar import business_calendar
from enlace.oir import rules
from enlace.oir.actions.common import (
    day_text,
    locked,
    move,
    record_event,
    require_open,
    today,
)
from enlace.oir.models import (
    EventKind,
    InformationRequest,
    ItemStatus,
    NotificationMedium,
    Outcome,
    RequestStatus,
    ResolutionDocument,
)


# --- Resolution and notification ------------------------------------------------------------
def do_resolve_request(
    request: InformationRequest,
    *,
    notes: str = "",
    public_summary: str = "",
    publish: bool = False,
    acting_user: User,
) -> InformationRequest:
    """Issue the resolution: every item decided; the PDF generated from the templates per
    outcome, kept as issued; the business days taken stored for the statistics."""
    from enlace.oir.pdf import resolution_pdf

    if publish and not public_summary.strip():
        raise BusinessError(
            _("Write the public summary (without personal data) to publish the request."),
            field="public_summary",
        )
    with transaction.atomic():
        request = locked(request)
        require_open(request)
        items = list(request.items.select_related("reserved_entry", "dependency"))
        if not items:
            raise BusinessError(_("The request has no items."))
        undecided = [str(i.position) for i in items if i.status != ItemStatus.DECIDED]
        if undecided:
            raise BusinessError(
                _("Decide every item first (pending: %(items)s).") % {"items": ", ".join(undecided)}
            )
        if request.status == RequestStatus.CLARIFICATION:
            if any(i.outcome != Outcome.WITHDRAWN for i in items):
                raise BusinessError(_("The request waits for the requester's clarification."))
            pending = request.clarifications.filter(answered_on__isnull=True).first()
            if pending is not None:
                calendar = business_calendar(request.received_on)
                request.paused_days += calendar.business_days_between(pending.asked_on, today())
        previous = move(request, RequestStatus.RESOLVED)
        now = timezone.now()
        request.resolved_at = now
        request.resolved_on = timezone.localdate(now)
        calendar = business_calendar(request.received_on)
        elapsed = calendar.business_days_between(request.received_on, request.resolved_on)
        request.business_days_to_answer = max(0, elapsed - request.paused_days)
        request.resolution_notes = notes.strip()
        request.public_summary = public_summary.strip()
        request.published = publish
        request.next_check_at = None  # resolved: no more reminders
        request.save()
        request.items.filter(next_check_at__isnull=False).update(next_check_at=None)
        pdf = resolution_pdf(request, items, rules.legal_rules(), officer=acting_user)
        ResolutionDocument.objects.create(request=request, pdf=ContentFile(pdf, name="r.pdf"))
        record_event(
            request,
            EventKind.RESOLVED,
            acting_user,
            from_status=previous,
            to_status=request.status,
            note=request.resolution_notes,
        )
    return request


def do_notify_resolution_by_email(
    request: InformationRequest, *, acting_user: User
) -> InformationRequest:
    """Send the resolution with its PDF to the requester's e-mail (the notifications' outbox
    writes the message on this event, and refuses while one is still on its way); it counts
    as notified on the day the message leaves (`do_record_email_notification`)."""
    with transaction.atomic():
        request = locked(request)
        if request.status != RequestStatus.RESOLVED:
            raise BusinessError(_("Only a resolved request that is not yet notified is notified."))
        if not request.email:
            raise BusinessError(_("The requester gave no e-mail: record another medium."))
        record_event(request, EventKind.NOTIFICATION_QUEUED, acting_user, note=request.email)
        request.save(update_fields=["updated_at"])
    return request


def _record_notification(
    request: InformationRequest,
    medium: str,
    notified_on: date,
    *,
    acting_user: User | None,
    note: str = "",
) -> InformationRequest:
    if medium not in NotificationMedium.values:
        raise BusinessError(_("Choose how the resolution was notified."), field="medium")
    if request.status != RequestStatus.RESOLVED or request.resolved_on is None:
        raise BusinessError(_("Only a resolved request that is not yet notified is notified."))
    if notified_on < request.resolved_on:
        raise BusinessError(
            _("The notification cannot be dated before the resolution (%(date)s).")
            % {"date": f"{request.resolved_on:%d/%m/%Y}"},
            field="notified_on",
        )
    if notified_on > today():
        raise BusinessError(_("The date of notification is in the future."), field="notified_on")
    previous = move(request, RequestStatus.NOTIFIED)
    request.notified_on = notified_on
    request.notification_medium = medium
    request.save(update_fields=["status", "notified_on", "notification_medium", "updated_at"])
    record_event(
        request,
        EventKind.NOTIFIED,
        acting_user,
        from_status=previous,
        to_status=request.status,
        note=note,
        changes={
            "notified_on": {"from": "", "to": day_text(notified_on)},
            "medium": {"from": "", "to": str(NotificationMedium(medium).label)},
        },
    )
    return request


def do_record_notification(
    request: InformationRequest,
    medium: str,
    notified_on: date,
    *,
    note: str = "",
    acting_user: User,
) -> InformationRequest:
    """The officer records a notification by another medium (in person, at the address)."""
    with transaction.atomic():
        request = locked(request)
        return _record_notification(
            request, medium, notified_on, acting_user=acting_user, note=note.strip()
        )


def do_record_email_notification(request_id: int, recipient: str, sent_at: datetime) -> None:
    """Called by the e-mail outbox in the transaction that marks the resolution's message sent:
    the request counts as notified that day (once; a request already notified stays as it is)."""
    with transaction.atomic():
        request = InformationRequest.objects.select_for_update().get(pk=request_id)
        if request.status != RequestStatus.RESOLVED:
            return
        _record_notification(
            request,
            NotificationMedium.EMAIL,
            timezone.localdate(sent_at),
            acting_user=None,
            note=recipient,
        )


def do_publish_request(
    request: InformationRequest, *, published: bool, public_summary: str, acting_user: User
) -> InformationRequest:
    """Put a resolved request in the public register (a summary without personal data), or
    take it out."""
    summary = public_summary.strip()
    if published and not summary:
        raise BusinessError(
            _("Write the public summary (without personal data) to publish the request."),
            field="public_summary",
        )
    with transaction.atomic():
        request = locked(request)
        if request.is_open:
            raise BusinessError(_("Only a resolved request goes in the public register."))
        if request.published == published and request.public_summary == summary:
            raise BusinessError(_("Nothing changed."))
        request.published = published
        request.public_summary = summary
        request.save(update_fields=["published", "public_summary", "updated_at"])
        record_event(
            request,
            EventKind.PUBLISHED,
            acting_user,
            note=summary,
            changes={"published": {"from": "", "to": _("yes") if published else _("no")}},
        )
    return request
