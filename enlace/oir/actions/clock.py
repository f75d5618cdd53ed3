"""The clock of a request: the age of the information, a clarification that stops it, an
extension."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.core.errors import BusinessError
from enlace.directory.calendar import business_calendar
from enlace.oir import deadlines
from enlace.oir.actions.common import (
    ALERT_FIELDS,
    day_text,
    locked,
    move,
    recompute_due,
    record_event,
    require_open,
    today,
)
from enlace.oir.models import (
    Clarification,
    EventKind,
    InformationRequest,
    RequestStatus,
)


# --- The clock: age of the information, clarification, extension ----------------------------
def do_set_old_information(
    request: InformationRequest, old: bool, *, note: str = "", acting_user: User
) -> InformationRequest:
    """Information more than five years old has 20 business days instead of 10."""
    with transaction.atomic():
        request = locked(request)
        require_open(request)
        if request.old_information == old:
            raise BusinessError(_("Nothing changed."))
        before = request.due_on
        request.old_information = old
        recompute_due(request)
        request.save(update_fields=["old_information", "due_on", *ALERT_FIELDS, "updated_at"])
        record_event(
            request,
            EventKind.OLD_INFORMATION,
            acting_user,
            note=note.strip(),
            changes={"due_on": {"from": day_text(before), "to": day_text(request.due_on)}},
        )
    return request


def do_ask_clarification(
    request: InformationRequest, question: str, *, acting_user: User
) -> InformationRequest:
    """A prevención: the clock stops until the requester answers."""
    question = question.strip()
    if not question:
        raise BusinessError(_("Write what the requester must clarify."), field="question")
    with transaction.atomic():
        request = locked(request)
        require_open(request)
        if request.clarifications.filter(answered_on__isnull=True).exists():
            raise BusinessError(_("A clarification is already pending."))
        before = request.due_on
        previous = move(request, RequestStatus.CLARIFICATION)
        Clarification.objects.create(
            request=request, question=question, asked_on=today(), previous_status=previous
        )
        recompute_due(request)
        request.save(update_fields=["status", "due_on", *ALERT_FIELDS, "updated_at"])
        record_event(
            request,
            EventKind.CLARIFICATION_ASKED,
            acting_user,
            from_status=previous,
            to_status=request.status,
            note=question,
            changes={"due_on": {"from": day_text(before), "to": ""}},
        )
    return request


def do_record_clarification(
    request: InformationRequest, answer: str, answered_on: date, *, acting_user: User
) -> InformationRequest:
    """The requester's answer: the clock runs again as the rules say (pause or restart)."""
    answer = answer.strip()
    if not answer:
        raise BusinessError(_("Write the requester's answer."), field="answer")
    with transaction.atomic():
        request = locked(request)
        pending = (
            request.clarifications.select_for_update().filter(answered_on__isnull=True).first()
        )
        if request.status != RequestStatus.CLARIFICATION or pending is None:
            raise BusinessError(_("No clarification is pending."))
        if answered_on < pending.asked_on:
            raise BusinessError(
                _("The answer cannot be dated before the clarification was asked."),
                field="answered_on",
            )
        if answered_on > today():
            raise BusinessError(_("The date of the answer is in the future."), field="answered_on")
        pending.answered_on = answered_on
        pending.answer = answer
        pending.save(update_fields=["answered_on", "answer"])
        calendar = business_calendar(request.received_on)
        request.paused_days += calendar.business_days_between(pending.asked_on, answered_on)
        move(request, pending.previous_status)
        recompute_due(request)
        request.save(update_fields=["status", "due_on", "paused_days", *ALERT_FIELDS, "updated_at"])
        record_event(
            request,
            EventKind.CLARIFICATION_ANSWERED,
            acting_user,
            from_status=RequestStatus.CLARIFICATION,
            to_status=request.status,
            note=answer,
            changes={"due_on": {"from": "", "to": day_text(request.due_on)}},
        )
    return request


def do_extend_request(
    request: InformationRequest, reason: str, *, acting_user: User
) -> InformationRequest:
    """Five more business days, once, for a recorded reason, before the deadline passes."""
    reason = reason.strip()
    if not reason:
        raise BusinessError(_("Give the reason for the extension."), field="reason")
    with transaction.atomic():
        request = locked(request)
        require_open(request)
        if request.extended:
            raise BusinessError(_("This request has already been extended."))
        if request.due_on is None:
            raise BusinessError(_("The request waits for the requester's clarification."))
        if not deadlines.extension_allowed(request.due_on, today()):
            raise BusinessError(
                _("The deadline passed on %(due)s: it can no longer be extended.")
                % {"due": f"{request.due_on:%d/%m/%Y}"}
            )
        before = request.due_on
        previous = move(request, RequestStatus.EXTENDED)
        request.extended = True
        request.extension_reason = reason
        request.extended_on = today()
        recompute_due(request)
        request.save()
        record_event(
            request,
            EventKind.EXTENDED,
            acting_user,
            from_status=previous,
            to_status=request.status,
            note=reason,
            changes={"due_on": {"from": day_text(before), "to": day_text(request.due_on)}},
        )
    return request
