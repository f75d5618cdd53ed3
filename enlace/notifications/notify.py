"""What to tell whom when something happens to a case. Each function writes Notification rows
inside the caller's transaction and schedules their delivery for after it commits; nothing is
sent if the change is rolled back."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from email.utils import make_msgid
from typing import Any, NamedTuple

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise

from enlace.accounts.models import Role, User
from enlace.cases.models import Case, CaseDeadline
from enlace.notifications.delivery import schedule
from enlace.notifications.models import Notification, NotificationChannel, NotificationKind
from enlace.oir.models import InformationRequest, RequestItem
from enlace.privacy.models import Breach, SubjectRequest
from enlace.surveys.actions.invitations import setting as survey_setting
from enlace.surveys.models import Invitation, InvitationChannel


def _queue(
    about: Case | InformationRequest | SubjectRequest | Breach | Invitation,
    kind: str,
    recipients: Iterable[str],
    subject: str,
    body: str,
    *,
    channel: str = NotificationChannel.EMAIL,
    template: str = "",
    parameters: Sequence[str] = (),
) -> int:
    """One message per address (each once, the empty ones left out) about a case or an
    information request, written now and sent once the transaction commits."""
    subject_of: dict[str, Any] = {_field_of(about): about}
    rows = [
        Notification(
            **subject_of,
            kind=kind,
            channel=channel,
            template=template,
            parameters=list(parameters),
            recipient=recipient,
            subject=subject,
            body=body,
            message_id=make_msgid(domain=settings.EMAIL_MESSAGE_ID_DOMAIN),
        )
        for recipient in dict.fromkeys(r for r in recipients if r)
    ]
    for row in Notification.objects.bulk_create(rows):
        schedule(row.pk)
    return len(rows)


def _field_of(about: object) -> str:
    """The notification's column for what it is about."""
    if isinstance(about, InformationRequest):
        return "information_request"
    if isinstance(about, SubjectRequest):
        return "subject_request"
    if isinstance(about, Breach):
        return "breach"
    if isinstance(about, Invitation):
        return "invitation"
    return "case"


class Person(NamedTuple):
    """A member of staff to alert: who (their id) and their address, if any."""

    id: int
    email: str


class Recipients:
    """Staff addresses by centre: liaisons under their centre's id, supervisors (resolution
    staff) under None; `people_*` the same persons by id, those without an address too (their
    alerts in Enlace). Load it once and pass it when writing many messages (the sweeper does,
    per batch) instead of asking the database for every message."""

    def __init__(self) -> None:
        self.by_centre: dict[int | None, list[str]] = defaultdict(list)
        self.people_by_centre: dict[int | None, list[Person]] = defaultdict(list)
        rows = (
            User.objects.filter(is_active=True, role__in=[Role.LIAISON, Role.RESOLUTION])
            .order_by("id")
            .values_list("id", "role", "dependency_id", "email")
        )
        for pk, role, dependency_id, email in rows:
            centre = None if role == Role.RESOLUTION else dependency_id
            self.people_by_centre[centre].append(Person(pk, email))
            if email:
                self.by_centre[centre].append(email)

    def liaisons(self, case: Case) -> list[str]:
        if case.dependency_id is None:
            return self.supervisors()
        return list(self.by_centre.get(case.dependency_id, []))

    def supervisors(self) -> list[str]:
        return list(self.by_centre.get(None, []))

    def liaison_people(self, case: Case) -> list[Person]:
        if case.dependency_id is None:
            return self.supervisor_people()
        return list(self.people_by_centre.get(case.dependency_id, []))

    def supervisor_people(self) -> list[Person]:
        return list(self.people_by_centre.get(None, []))


def acknowledgement(case: Case) -> int:
    """The citizen's acknowledgement, once per case: a case the portal acknowledged when it
    was registered gets no second one when staff acknowledge it."""
    if not case.citizen_email:
        return 0
    if Notification.objects.filter(case=case, kind=NotificationKind.ACKNOWLEDGEMENT).exists():
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("We received your %(subject)s — code %(code)s") % {
            "subject": case.subject.lower(),
            "code": case.display_code,
        }
        body = _(
            "Dear %(name)s,\n\nWe received your %(subject)s on %(date)s. Its tracking code is "
            "%(code)s: keep it to follow your case.\n\nUser attention department"
        ) % {
            "name": case.citizen_name or _("user"),
            "subject": case.subject.lower(),
            "date": f"{case.received_at:%d/%m/%Y}",
            "code": case.display_code,
        }
    return _queue(case, NotificationKind.ACKNOWLEDGEMENT, [case.citizen_email], subject, body)


def answer(case: Case) -> int:
    if not case.citizen_email:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Answer to your case %(code)s") % {"code": case.display_code}
        body = _("Dear %(name)s,\n\n%(answer)s\n\nUser attention department") % {
            "name": case.citizen_name or _("user"),
            "answer": case.answer,
        }
    return _queue(case, NotificationKind.ANSWER, [case.citizen_email], subject, body)


def assignment(case: Case) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Case %(code)s assigned to %(centre)s") % {
            "code": case.display_code,
            "centre": case.dependency,
        }
        body = _(
            "Case %(code)s (%(subject)s) has been assigned to your centre. Its answer is due "
            "on %(due)s.\n\n%(description)s"
        ) % {
            "code": case.display_code,
            "subject": case.subject,
            "due": f"{case.next_due_on:%d/%m/%Y}" if case.next_due_on else "—",
            "description": case.description,
        }
    return _queue(case, NotificationKind.ASSIGNMENT, Recipients().liaisons(case), subject, body)


def ownership(case: Case, owner: User) -> int:
    """Tell the person a case was given to (not when they took it themselves), if they keep
    this alert by e-mail (enlace/notifications/alerts.py asks)."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Case %(code)s is now yours") % {"code": case.display_code}
        body = _(
            "Case %(code)s (%(subject)s, %(centre)s) has been given to you. Its next due date "
            "is %(due)s.\n\n%(link)s"
        ) % {
            "code": case.display_code,
            "subject": case.subject,
            "centre": case.dependency or "—",
            "due": f"{case.next_due_on:%d/%m/%Y}" if case.next_due_on else "—",
            "link": case_link(case),
        }
    return _queue(case, NotificationKind.OWNERSHIP, [owner.email], subject, body)


def case_link(case: Case) -> str:
    return public_link(reverse("cases:detail", args=[case.pk]))


# A person's own alerts by e-mail, when they keep that kind so (enlace/notifications/alerts.py).
# The body is the alert's summary, which names the case by its code, type, centre and due date
# (never the citizen, nor what anyone wrote), and the link to the case.
def alert_email(
    case: Case,
    kind: str,
    summary: str,
    recipients: Iterable[str],
    *,
    due: str = "",
    person: str = "",
) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        values = {"code": case.display_code, "due": due, "person": person}
        subjects = {
            NotificationKind.REVIEW: _("Case %(code)s: an answer to review"),
            NotificationKind.MENTION: _("Case %(code)s: %(person)s mentioned you"),
            NotificationKind.REMINDER: _("Reminder: case %(code)s is due on %(due)s"),
            NotificationKind.OVERDUE: _("Overdue: case %(code)s was due on %(due)s"),
        }
        subject = subjects[NotificationKind(kind)] % values
    body = f"{summary}\n\n{case_link(case)}"
    return _queue(case, kind, recipients, subject, body)


def deadline_reminder(
    case: Case, deadline: CaseDeadline, recipients: Recipients | None = None
) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Reminder: case %(code)s is due on %(due)s") % {
            "code": case.display_code,
            "due": f"{deadline.due_on:%d/%m/%Y}",
        }
        body = _("Case %(code)s (%(subject)s) must be answered by %(due)s.") % {
            "code": case.display_code,
            "subject": case.subject,
            "due": f"{deadline.due_on:%d/%m/%Y}",
        }
    to = (recipients or Recipients()).liaisons(case)
    return _queue(case, NotificationKind.REMINDER, to, subject, body)


def deadline_escalated(
    case: Case, deadline: CaseDeadline, recipients: Recipients | None = None
) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Overdue: case %(code)s was due on %(due)s") % {
            "code": case.display_code,
            "due": f"{deadline.due_on:%d/%m/%Y}",
        }
        body = _(
            "Case %(code)s (%(subject)s, %(centre)s) was due on %(due)s and is still open."
        ) % {
            "code": case.display_code,
            "subject": case.subject,
            "centre": case.dependency or "—",
            "due": f"{deadline.due_on:%d/%m/%Y}",
        }
    staff = recipients or Recipients()
    to = [*staff.supervisors(), *staff.liaisons(case)]
    return _queue(case, NotificationKind.ESCALATION, to, subject, body)


# --- Public-information requests (enlace/oir) ------------------------------------------------
OIR_SIGNATURE = "Oficina de Información y Respuesta"  # a proper name, as the PDF prints it


def oir_receipt(request: InformationRequest) -> int:
    """The receipt: number, date, time and medium, to the requester's e-mail if they gave one."""
    if not request.email:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Information request %(number)s received") % {"number": request.number}
        body = _(
            "Dear %(name)s,\n\nWe received your request for public information on %(date)s at "
            "%(time)s by %(medium)s. Its number is %(number)s. The legal deadline to answer it "
            "is %(due)s.\n\n%(office)s"
        ) % {
            "name": request.requester_name,
            "date": f"{timezone.localtime(request.received_at):%d/%m/%Y}",
            "time": f"{timezone.localtime(request.received_at):%H:%M}",
            "medium": request.get_channel_display().lower(),
            "number": request.number,
            "due": f"{request.due_on:%d/%m/%Y}" if request.due_on else "—",
            "office": OIR_SIGNATURE,
        }
    return _queue(request, NotificationKind.OIR_RECEIPT, [request.email], subject, body)


def oir_notice(request: InformationRequest, subject: str, text: str) -> int:
    """A notice to the requester (a clarification asked, an extension), if they gave an
    e-mail; `subject` and `text` come translated by the caller."""
    if not request.email:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        body = _("Dear %(name)s,\n\n%(text)s\n\n%(office)s") % {
            "name": request.requester_name,
            "text": text,
            "office": OIR_SIGNATURE,
        }
    return _queue(request, NotificationKind.OIR_NOTICE, [request.email], subject, body)


def oir_item_sent(item: RequestItem) -> int:
    """Tell the liaisons of the unit an item was sent to them, with its internal due date."""
    if item.dependency_id is None:
        return 0
    recipients = list(
        User.objects.filter(is_active=True, role=Role.LIAISON, dependency_id=item.dependency_id)
        .exclude(email="")
        .order_by("id")
        .values_list("email", flat=True)
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Information request %(number)s: item %(item)s for your unit") % {
            "number": item.request.number,
            "item": item.position,
        }
        body = _("The OIR needs this information from your unit by %(due)s:\n\n%(description)s") % {
            "due": f"{item.internal_due_on:%d/%m/%Y}" if item.internal_due_on else "—",
            "description": item.description,
        }
    return _queue(item.request, NotificationKind.OIR_ITEM, recipients, subject, body)


def oir_resolution(request: InformationRequest) -> int:
    """The resolution to the requester by e-mail; delivery attaches its PDF."""
    if not request.email:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Resolution of your information request %(number)s") % {
            "number": request.number
        }
        body = _(
            "Dear %(name)s,\n\nAttached is the resolution of your request for public "
            "information %(number)s. If you disagree with it, you may appeal to the Instituto "
            "de Acceso a la Información Pública (IAIP) within 15 business days of this "
            "notification.\n\n%(office)s"
        ) % {"name": request.requester_name, "number": request.number, "office": OIR_SIGNATURE}
    return _queue(request, NotificationKind.OIR_RESOLUTION, [request.email], subject, body)


def oir_item_reminder(item: RequestItem, *, overdue: bool, recipients: Iterable[str]) -> int:
    """Remind a unit's liaisons (addresses given by the sweeper, read once per batch) that an
    item's internal due date approaches or has passed."""
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "number": item.request.number,
            "item": item.position,
            "due": f"{item.internal_due_on:%d/%m/%Y}" if item.internal_due_on else "—",
        }
        if overdue:
            subject = _("Overdue: information request %(number)s, item %(item)s") % values
            text = _(
                "The OIR needed this information from your unit by %(due)s and has not "
                "received it yet:"
            )
        else:
            subject = _("Reminder: information request %(number)s, item %(item)s") % values
            text = _("The OIR needs this information from your unit by %(due)s:")
        body = f"{text % values}\n\n{item.description}"
    return _queue(item.request, NotificationKind.OIR_ITEM_REMINDER, recipients, subject, body)


def oir_due_alert(request: InformationRequest, *, overdue: bool, recipients: Iterable[str]) -> int:
    """Tell the OIR officers (addresses given by the sweeper) that a request's legal deadline
    is near or has passed."""
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "number": request.number,
            "due": f"{request.due_on:%d/%m/%Y}" if request.due_on else "—",
            "name": request.requester_name,
        }
        if overdue:
            subject = _("Overdue: information request %(number)s was due on %(due)s") % values
            body = (
                _("Information request %(number)s (%(name)s) was due on %(due)s and is still open.")
                % values
            )
        else:
            subject = _("Due soon: information request %(number)s, by %(due)s") % values
            body = (
                _("Information request %(number)s (%(name)s) must be resolved by %(due)s.") % values
            )
    return _queue(request, NotificationKind.OIR_DUE_ALERT, recipients, subject, body)


# --- Data protection (enlace/privacy) -----------------------------------------------------------
DPO_SIGNATURE = "Oficial de Protección de Datos Personales"  # a proper name, as signed


def subject_receipt(request: SubjectRequest) -> int:
    if not request.email:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Your data-protection request %(number)s was received") % {
            "number": request.number
        }
        body = _(
            "Dear %(name)s,\n\nWe received your request over your personal data on %(date)s. "
            "Its number is %(number)s. We will answer it by %(due)s.\n\n%(office)s"
        ) % {
            "name": request.requester_name,
            "date": f"{timezone.localtime(request.received_at):%d/%m/%Y}",
            "number": request.number,
            "due": f"{request.due_on:%d/%m/%Y}",
            "office": DPO_SIGNATURE,
        }
    return _queue(request, NotificationKind.SUBJECT_RECEIPT, [request.email], subject, body)


def subject_answer(request: SubjectRequest) -> int:
    if not request.email:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Answer to your data-protection request %(number)s") % {
            "number": request.number
        }
        body = _("Dear %(name)s,\n\n%(answer)s\n\n%(office)s") % {
            "name": request.requester_name,
            "answer": request.answer,
            "office": DPO_SIGNATURE,
        }
    return _queue(request, NotificationKind.SUBJECT_ANSWER, [request.email], subject, body)


def subject_due_alert(request: SubjectRequest, *, overdue: bool, recipients: Iterable[str]) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        values = {"number": request.number, "due": f"{request.due_on:%d/%m/%Y}"}
        if overdue:
            subject = _("Overdue: data-protection request %(number)s was due on %(due)s") % values
        else:
            subject = _("Due soon: data-protection request %(number)s, by %(due)s") % values
        body = subject
    return _queue(request, NotificationKind.SUBJECT_DUE_ALERT, recipients, subject, body)


def breach_alert(breach: Breach, *, overdue: bool, recipients: Iterable[str]) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "title": breach.title,
            "due": f"{timezone.localtime(breach.due_at):%d/%m/%Y %H:%M}",
        }
        if overdue:
            subject = _("Breach not yet notified after 72 hours: %(title)s") % values
        else:
            subject = _("Breach to notify by %(due)s: %(title)s") % values
        body = (
            _(
                "The authority and the people affected must be told of this breach within 72 hours "
                "of its discovery (by %(due)s).\n\n%(title)s"
            )
            % values
        )
    return _queue(breach, NotificationKind.BREACH_ALERT, recipients, subject, body)


# --- Satisfaction studies (enlace/surveys) ----------------------------------------------------
def public_link(path: str) -> str:
    """An address a citizen can open from an e-mail: PUBLIC_URL and the path (only the path if
    PUBLIC_URL is unset; `manage.py check --deploy` warns of it)."""
    return f"{settings.PUBLIC_URL}{path}"


def survey_invitation(invitation: Invitation, token: str, *, reminder: bool) -> int:
    """The invitation to answer a study by its unique link (the token travels only in this
    message), or its one reminder with a new link: an e-mail, or a WhatsApp message from the
    approved template (WHATSAPP_SURVEY_TEMPLATE, ..._REMINDER_TEMPLATE) whose placeholders are
    the centre, the link and the last day; its body keeps the same message in words."""
    if not invitation.address:
        return 0
    link = public_link(reverse("survey_public:invitation", kwargs={"token": token}))
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "centre": invitation.dependency.name,
            "link": link,
            "expires": f"{timezone.localtime(invitation.expires_at):%d/%m/%Y}",
            "days": survey_setting("quiet_days"),
        }
        if reminder:
            subject = _("Reminder: tell us how we served you")
            opening = _(
                "A few days ago we asked you how we served you at %(centre)s. If you have two "
                "minutes, your answers help us improve. They are anonymous:"
            )
        else:
            subject = _("How did we serve you? Two minutes of your time")
            opening = _(
                "We recently answered your case about %(centre)s. Would you tell us how we "
                "served you? It takes two minutes and your answers are anonymous:"
            )
        closing = _(
            "The link works once, until %(expires)s. If you prefer not to answer, ignore this "
            "message: we will not ask you again for %(days)s days.\n\nUser attention department"
        )
        body = f"{_('Good day,')}\n\n{opening % values}\n\n{link}\n\n{closing % values}"
    kind = NotificationKind.SURVEY_REMINDER if reminder else NotificationKind.SURVEY_INVITATION
    if invitation.channel == InvitationChannel.WHATSAPP:
        template = (
            settings.WHATSAPP_SURVEY_REMINDER_TEMPLATE
            if reminder
            else settings.WHATSAPP_SURVEY_TEMPLATE
        )
        return _queue(
            invitation,
            kind,
            [invitation.address],
            subject,
            body,
            channel=NotificationChannel.WHATSAPP,
            template=template,
            parameters=(str(values["centre"]), link, str(values["expires"])),
        )
    return _queue(invitation, kind, [invitation.address], subject, body)


# --- Reports sent on schedule (enlace/subscriptions) -------------------------------------------
def subscribed_report(
    recipient: str, *, report: StrOrPromise, start: date, end: date, centre: str, link: str
) -> Notification | None:
    """A report a person subscribed to, for the period just ended, to their address; delivery
    attaches its PDF (the subscriptions register how, and their delivery row points at this
    message). None if there is no address."""
    if not recipient:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "report": str(report),
            "start": f"{start:%d/%m/%Y}",
            "end": f"{end:%d/%m/%Y}",
            "centre": centre,
            "link": link,
        }
        if centre:
            subject = _("%(report)s, %(centre)s: %(start)s to %(end)s") % values
            text = _(
                "Attached is the report “%(report)s” of %(centre)s for the period from "
                "%(start)s to %(end)s."
            )
        else:
            subject = _("%(report)s: %(start)s to %(end)s") % values
            text = _(
                "Attached is the report “%(report)s” for the period from %(start)s to %(end)s."
            )
        closing = _(
            "You receive it because you subscribed to it. To stop receiving it, end the "
            "subscription at %(link)s\n\nUser attention department"
        )
        body = f"{_('Good day,')}\n\n{text % values}\n\n{closing % values}"
    row = Notification.objects.create(
        kind=NotificationKind.REPORT,
        recipient=recipient,
        subject=subject[:250],
        body=body,
        message_id=make_msgid(domain=settings.EMAIL_MESSAGE_ID_DOMAIN),
    )
    schedule(row.pk)
    return row
