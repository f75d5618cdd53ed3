"""The notifications' outbox transport: one notification sent by SMTP, or from a WhatsApp
template by the channel plug-in that sends it (enlace/channels/plugins.py `send_template`);
enlace/core/outbox.py claims, retries and re-queues it.

What a message carries beyond its text is registered by kind (`attachments_for`, `after_sent`):
the OIR's resolution carries its PDF and, once sent, counts as notified that day. Messages to
the citizen reply in the thread of the citizen's own e-mails when a channel says where that is
(`thread_headers`, filled by the e-mail channel).
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q

from enlace.channels.plugins import PLUGINS, Template
from enlace.core.outbox import Outbox, OutboxError
from enlace.notifications.models import (
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationStatus,
)

MAX_ATTEMPTS = 8
# Minutes to wait after attempt 1, 2, 3...: an SMTP outage of a day still loses nothing.
BACKOFF_MINUTES = (1, 5, 15, 60, 180, 360, 720)

# Per kind of notification: the files it carries, and what follows its sending.
Attachments = Callable[[Notification], list[tuple[str, bytes, str]]]
AfterSent = Callable[[Notification, datetime], None]
_ATTACHMENTS: dict[str, Attachments] = {}
_AFTER_SENT: dict[str, AfterSent] = {}
# Where a message to the citizen threads: In-Reply-To and References for the case, if any.
ThreadHeaders = Callable[[int], dict[str, str]]
_THREADS: list[ThreadHeaders] = []
CITIZEN_KINDS = (NotificationKind.ACKNOWLEDGEMENT, NotificationKind.ANSWER)


def attachments_for(kind: str, files: Attachments) -> None:
    _ATTACHMENTS[kind] = files


def after_sent(kind: str, hook: AfterSent) -> None:
    _AFTER_SENT[kind] = hook


def thread_headers_from(provider: ThreadHeaders) -> None:
    """A channel that can thread the citizen's messages (e-mail) registers how."""
    if provider not in _THREADS:
        _THREADS.append(provider)


def thread_headers(notification: Notification) -> dict[str, str]:
    """In-Reply-To and References for a message to the citizen on a case; {} for any other."""
    if notification.case_id is None or notification.kind not in CITIZEN_KINDS:
        return {}
    for provider in _THREADS:
        headers = provider(notification.case_id)
        if headers:
            return headers
    return {}


class NotificationOutbox(Outbox[Notification]):
    model = Notification
    name = "notifications"
    task_path = "enlace.notifications.tasks.send_notification"
    done = NotificationStatus.SENT
    done_at = "sent_at"
    attempts = MAX_ATTEMPTS
    backoff_minutes = BACKOFF_MINUTES

    def transmit(self, row: Notification) -> dict[str, Any]:
        if row.channel == NotificationChannel.WHATSAPP:
            return {"platform_id": send_template(row)}
        message = EmailMessage(
            subject=row.subject,
            body=row.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[row.recipient],
            headers={"Message-ID": row.message_id, **thread_headers(row)},
        )
        files = _ATTACHMENTS.get(row.kind)
        for name, content, content_type in files(row) if files else []:
            message.attach(name, content, content_type)
        try:
            message.send()
        except (smtplib.SMTPException, OSError) as error:
            raise OutboxError(f"{type(error).__name__}: {error}") from error
        return {}

    def after_sent(self, row: Notification, sent_at: datetime) -> None:
        hook = _AFTER_SENT.get(row.kind)
        if hook is not None:
            hook(row, sent_at)


def send_template(row: Notification) -> str:
    """A template message, by the plug-in of its channel; the platform's id of it."""
    plugin = PLUGINS.get(row.channel)
    if plugin is None:
        raise OutboxError(f"no channel plug-in {row.channel!r}", permanent=True)
    if not plugin.sends_template(row.template):
        raise OutboxError("the channel is not configured to send this template")
    if not row.recipient:
        raise OutboxError("the recipient was erased", permanent=True)
    parameters = tuple(str(value) for value in row.parameters)
    return plugin.send_template(
        row.recipient,
        Template(
            name=row.template, language=settings.WHATSAPP_TEMPLATE_LANGUAGE, parameters=parameters
        ),
    )


OUTBOX = NotificationOutbox()
LEASE = OUTBOX.lease
deliver = OUTBOX.deliver
schedule = OUTBOX.schedule
requeue_due = OUTBOX.requeue_due


def erase_for_cases(case_ids: Sequence[int]) -> int:
    """The e-mails about erased cases (and the invitations to a study that followed them) keep
    their kind and dates, not what they said or to whom (data protection:
    enlace/cases/data_protection.py)."""
    return Notification.objects.filter(
        Q(case_id__in=case_ids) | Q(invitation__case_id__in=case_ids)
    ).update(recipient="", body="", parameters=[])


def blank_survey_mail(now: datetime) -> dict[str, int]:
    """Sweep job: an invitation's messages, once sent (or given up), keep neither the address
    nor the link after the invitation is answered or expires, as the invitation itself."""
    finished = (NotificationStatus.SENT, NotificationStatus.FAILED)
    blanked = (
        Notification.objects.filter(invitation__isnull=False, status__in=finished)
        .filter(Q(invitation__expires_at__lte=now) | Q(invitation__responded_at__isnull=False))
        .exclude(recipient="")
        .update(recipient="", body="", parameters=[])
    )
    return {"survey_mail_blanked": blanked}
