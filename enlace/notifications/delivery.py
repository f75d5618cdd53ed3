"""Delivering one notification, and re-queuing those left behind.

`deliver` claims the row with a conditional UPDATE (pending -> sending, with a lease), so two
workers handed the same id never both send it. A failure puts the row back to pending with a
growing delay; after MAX_ATTEMPTS it is marked failed and shown on the case.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from enlace.channels.models import InboundMessage
from enlace.core.outbox import backoff as outbox_backoff
from enlace.core.outbox import enqueue_after_commit, requeue_left_behind
from enlace.notifications.models import Notification, NotificationKind, NotificationStatus

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)
# Minutes to wait after attempt 1, 2, 3...: an SMTP outage of a day still loses nothing.
BACKOFF_MINUTES = (1, 5, 15, 60, 180, 360, 720)


def backoff(attempts: int) -> timedelta:
    return outbox_backoff(attempts, BACKOFF_MINUTES)


def deliver(notification_id: int, *, now: datetime | None = None) -> str:
    """Send one notification if it is due and nobody else is sending it. Returns what
    happened: "sent", "retry", "failed" or "skipped"."""
    now = now or timezone.now()
    claimed = Notification.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        pk=notification_id,
        status=NotificationStatus.PENDING,
    ).update(
        status=NotificationStatus.SENDING, attempts=F("attempts") + 1, locked_until=now + LEASE
    )
    if not claimed:
        return "skipped"
    notification = Notification.objects.get(pk=notification_id)
    message = EmailMessage(
        subject=notification.subject,
        body=notification.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient],
        headers={"Message-ID": notification.message_id, **thread_headers(notification)},
    )
    for name, content, content_type in attachments(notification):
        message.attach(name, content, content_type)
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        final = notification.attempts >= MAX_ATTEMPTS
        Notification.objects.filter(pk=notification_id).update(
            status=NotificationStatus.FAILED if final else NotificationStatus.PENDING,
            next_attempt_at=None if final else now + backoff(notification.attempts),
            last_error=f"{type(error).__name__}: {error}"[:1000],
            locked_until=None,
        )
        logger.warning(
            "notification %s attempt %s failed: %s", notification_id, notification.attempts, error
        )
        if not final:
            schedule(notification_id, run_after=now + backoff(notification.attempts))
        return "failed" if final else "retry"
    sent_at = timezone.now()
    with transaction.atomic():
        Notification.objects.filter(pk=notification_id).update(
            status=NotificationStatus.SENT, sent_at=sent_at, locked_until=None, last_error=""
        )
        if notification.kind == NotificationKind.OIR_RESOLUTION:
            # The resolution counts as notified on the day the e-mail left.
            from enlace.oir.actions import do_record_email_notification

            do_record_email_notification(notification, sent_at)
    return "sent"


def attachments(notification: Notification) -> list[tuple[str, bytes, str]]:
    """The files a message carries: the resolution of an information request, as issued."""
    if notification.kind != NotificationKind.OIR_RESOLUTION:
        return []
    from enlace.oir.models import ResolutionDocument

    document = (
        ResolutionDocument.objects.select_related("request")
        .filter(request_id=notification.information_request_id)
        .first()
    )
    if document is None:
        return []
    return [(document.filename, bytes(document.pdf), "application/pdf")]


# Messages to the citizen reply to the citizen's own e-mails on the case, if any, so that the
# mail programs on both sides keep one conversation (the e-mail channel threads replies back
# by these headers, or by the tracking code each such subject carries).
CITIZEN_KINDS = (NotificationKind.ACKNOWLEDGEMENT, NotificationKind.ANSWER)
MAX_REFERENCES = 20


def thread_headers(notification: Notification) -> dict[str, str]:
    """In-Reply-To (the citizen's latest e-mail on the case) and References (their e-mails on
    it, oldest first) for a message to the citizen; {} for any other message."""
    if notification.case_id is None or notification.kind not in CITIZEN_KINDS:
        return {}
    ids = list(
        InboundMessage.objects.filter(
            case_id=notification.case_id, plugin="email", external_id__startswith="<"
        )
        .order_by("-received_at", "-id")
        .values_list("external_id", flat=True)[:MAX_REFERENCES]
    )
    if not ids:
        return {}
    return {"In-Reply-To": ids[0], "References": " ".join(reversed(ids))}


def schedule(notification_id: int, *, run_after: datetime | None = None) -> None:
    """Enqueue the delivery task (after the current transaction commits)."""
    from enlace.notifications.tasks import send_notification

    enqueue_after_commit(send_notification, notification_id, run_after=run_after)


# A pending row younger than this most likely has its task still in the queue.
REQUEUE_GRACE = timedelta(minutes=2)


def requeue_due(*, now: datetime | None = None) -> int:
    """Hand back to the queue what was left behind: rows whose sender's lease ran out (the
    worker died mid-send) and pending rows overdue by REQUEUE_GRACE (their task was lost, or
    the queue was down). Delivering twice is harmless: `deliver` claims before it sends."""
    now = now or timezone.now()
    return requeue_left_behind(
        Notification,
        sending=NotificationStatus.SENDING,
        pending=NotificationStatus.PENDING,
        now=now,
        grace=REQUEUE_GRACE,
        schedule=schedule,
    )
