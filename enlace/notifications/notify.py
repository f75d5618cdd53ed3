"""What to tell whom when something happens to a case. Each function writes Notification rows
inside the caller's transaction and schedules their delivery for after it commits; nothing is
sent if the change is rolled back."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from email.utils import make_msgid
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from enlace.accounts.models import Role, User
from enlace.notifications.delivery import schedule
from enlace.notifications.models import Notification, NotificationKind

if TYPE_CHECKING:
    from enlace.cases.models import Case, CaseDeadline


def _queue(case: Case, kind: str, recipients: Iterable[str], subject: str, body: str) -> int:
    rows = [
        Notification(
            case=case,
            kind=kind,
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


class Recipients:
    """Staff addresses by centre: liaisons under their centre's id, supervisors (resolution
    staff) under None. Load it once and pass it when writing many messages (the sweeper does,
    per batch) instead of asking the database for every message."""

    def __init__(self) -> None:
        self.by_centre: dict[int | None, list[str]] = defaultdict(list)
        rows = (
            User.objects.filter(is_active=True, role__in=[Role.LIAISON, Role.RESOLUTION])
            .exclude(email="")
            .order_by("id")
            .values_list("role", "dependency_id", "email")
        )
        for role, dependency_id, email in rows:
            self.by_centre[None if role == Role.RESOLUTION else dependency_id].append(email)

    def liaisons(self, case: Case) -> list[str]:
        if case.dependency_id is None:
            return self.supervisors()
        return list(self.by_centre.get(case.dependency_id, []))

    def supervisors(self) -> list[str]:
        return list(self.by_centre.get(None, []))


def acknowledgement(case: Case) -> int:
    if not case.citizen_email:
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
