"""What the report's mail carries: the PDF of its delivery, as produced (the notifications'
outbox asks by kind: enlace/notifications/delivery.py `attachments_for`)."""

from __future__ import annotations

from enlace.core.outbox import OutboxError
from enlace.notifications.models import Notification
from enlace.subscriptions.models import ReportDelivery


def delivery_files(notification: Notification) -> list[tuple[str, bytes, str]]:
    delivery = ReportDelivery.objects.filter(notification=notification).first()
    if delivery is None or not delivery.pdf:
        # Never sent without its report: a person would read an empty promise.
        raise OutboxError("the report's delivery or its PDF is missing", permanent=True)
    try:
        with delivery.pdf.open("rb") as pdf:
            return [(delivery.filename, pdf.read(), "application/pdf")]
    except OSError as error:  # storage unreachable: retried with the outbox's back-off
        raise OutboxError(f"the report's PDF could not be read: {error}") from error
