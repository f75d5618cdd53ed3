"""What the notifications' outbox (e-mail, WhatsApp templates) learns from the domains'
history, and whom it tells.

The cases and the OIR write their history through `enlace.core.history.History`; these
subscribers, registered in `NotificationsConfig.ready()`, turn the rows that concern somebody
into `Notification` rows in the same transaction (enlace/notifications/notify.py says what each
message reads). The domains never import this app.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from enlace.cases import files as case_files
from enlace.cases.lifecycle import CaseKind, CaseStatus
from enlace.cases.models import CaseEvent
from enlace.cases.models import EventKind as CaseEventKind
from enlace.core.errors import BusinessError
from enlace.notifications import alerts, notify
from enlace.notifications.models import Notification, NotificationKind, NotificationStatus
from enlace.oir.actions import do_record_email_notification
from enlace.oir.models import EventKind as RequestEventKind
from enlace.oir.models import RequestEvent, ResolutionDocument
from enlace.privacy.models import BreachEvent, SubjectEventKind, SubjectRequestEvent
from enlace.surveys.history import StudyAction
from enlace.surveys.models import Invitation, StudyEvent


def on_case_events(events: Sequence[CaseEvent], context: Mapping[str, Any]) -> None:
    """The centre is told of an assignment and reminded of its deadlines, the supervisors of an
    escalation; the citizen gets the acknowledgement and the answer. The people concerned get
    their alerts (a case given to them, an answer to review, a due date near or missed, a
    mention), by e-mail too as each chose (enlace/notifications/alerts.py)."""
    deadline = context.get("deadline")
    batch = context.get("cache")
    cache: dict[str, Any] = batch if isinstance(batch, dict) else {}
    for event in events:
        case = event.case
        if event.kind == CaseEventKind.ASSIGNED:
            notify.assignment(case)
        elif event.kind == CaseEventKind.ACKNOWLEDGED:
            notify.acknowledgement(case)
        elif event.kind == CaseEventKind.ANSWERED:
            notify.answer(case)
        elif (
            event.kind == CaseEventKind.CLOSED
            and case.kind == CaseKind.OPINION
            and event.from_status != CaseStatus.ANSWERED
        ):
            notify.answer(case)  # closed with the answer given now
        elif event.kind == CaseEventKind.DEADLINE_REMINDER and deadline is not None:
            notify.deadline_reminder(case, deadline, alerts.staff(cache))
        elif event.kind == CaseEventKind.DEADLINE_ESCALATED and deadline is not None:
            notify.deadline_escalated(case, deadline, alerts.staff(cache))
    alerts.on_case_events(events, context, cache)


def on_request_events(events: Sequence[RequestEvent], context: Mapping[str, Any]) -> None:
    """The requester gets the receipt, the notices (a clarification asked, the extension) and
    the resolution; a unit its items and their reminders; the officers their alerts (the
    sweeper gives the `recipients` it found and whether it is `overdue`)."""
    for event in events:
        request = event.request
        if event.kind == RequestEventKind.RECEIVED:
            notify.oir_receipt(request)
        elif event.kind == RequestEventKind.ITEM_SENT and event.item is not None:
            notify.oir_item_sent(event.item)
        elif event.kind == RequestEventKind.CLARIFICATION_ASKED:
            notify.oir_notice(
                request,
                _("Information request %(number)s: clarification needed")
                % {"number": request.number},
                _("To answer your request we need you to clarify the following:\n\n%(question)s")
                % {"question": event.note},
            )
        elif event.kind == RequestEventKind.EXTENDED:
            notify.oir_notice(
                request,
                _("Information request %(number)s: deadline extended") % {"number": request.number},
                _("The deadline to answer your request is extended to %(due)s, because: %(reason)s")
                % {
                    "due": f"{request.due_on:%d/%m/%Y}" if request.due_on else "",
                    "reason": event.note,
                },
            )
        elif event.kind == RequestEventKind.NOTIFICATION_QUEUED:
            on_the_way = request.notifications.filter(
                kind=NotificationKind.OIR_RESOLUTION,
                status__in=[NotificationStatus.PENDING, NotificationStatus.SENDING],
            )
            if on_the_way.exists():
                raise BusinessError(_("The resolution is already on its way by e-mail."))
            notify.oir_resolution(request)
        elif event.kind == RequestEventKind.DEADLINE_ALERT:
            notify.oir_due_alert(
                request, overdue=context["overdue"], recipients=context["recipients"]
            )
        elif event.kind == RequestEventKind.ITEM_REMINDER and event.item is not None:
            notify.oir_item_reminder(
                event.item, overdue=context["overdue"], recipients=context["recipients"]
            )


def answer_files(notification: Notification) -> list[tuple[str, bytes, str]]:
    """The answer's e-mail carries the files staff attached to that answer (as of when the
    e-mail was written: a later reopening's answer has its own)."""
    if notification.case is None:
        return []
    return case_files.answer_files(notification.case, at=notification.created_at)


def resolution_files(notification: Notification) -> list[tuple[str, bytes, str]]:
    """The resolution's message carries its PDF, as issued."""
    document = (
        ResolutionDocument.objects.select_related("request")
        .filter(request_id=notification.information_request_id)
        .first()
    )
    if document is None:
        return []
    with document.pdf.open("rb") as pdf:
        return [(document.filename, pdf.read(), "application/pdf")]


def resolution_sent(notification: Notification, sent_at: datetime) -> None:
    """The request counts as notified on the day its resolution's message left."""
    if notification.information_request_id is not None:
        do_record_email_notification(
            notification.information_request_id, notification.recipient, sent_at
        )


def on_subject_request_events(
    events: Sequence[SubjectRequestEvent], context: Mapping[str, Any]
) -> None:
    """The requester gets the receipt and the answer (or refusal); the data-protection
    officers the alerts of the deadline (the sweeper gives `recipients` and `overdue`)."""
    for event in events:
        request = event.request
        if event.kind == SubjectEventKind.RECEIVED:
            notify.subject_receipt(request)
        elif event.kind in (SubjectEventKind.ANSWERED, SubjectEventKind.REFUSED):
            notify.subject_answer(request)
        elif event.kind == SubjectEventKind.DEADLINE_ALERT:
            notify.subject_due_alert(
                request, overdue=context["overdue"], recipients=context["recipients"]
            )


def on_breach_events(events: Sequence[BreachEvent], context: Mapping[str, Any]) -> None:
    for event in events:
        if event.kind == "deadline_alert":
            notify.breach_alert(
                event.breach, overdue=context["overdue"], recipients=context["recipients"]
            )


def on_study_events(events: Sequence[StudyEvent], context: Mapping[str, Any]) -> None:
    """An invitation to answer a study, and its one reminder, by e-mail or WhatsApp: the
    writer gives the `invitation` and its link's `token` (never stored) in the context."""
    invitation = context.get("invitation")
    token = context.get("token")
    if not isinstance(invitation, Invitation) or not token:
        return
    for event in events:
        if event.action in (StudyAction.INVITED, StudyAction.REMINDED):
            notify.survey_invitation(
                invitation, str(token), reminder=event.action == StudyAction.REMINDED
            )
