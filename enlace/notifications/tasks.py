"""Background tasks: they take ids, and call one core function."""

from __future__ import annotations

from enlace.core.requestid import task
from enlace.notifications.delivery import deliver


@task()
def send_notification(notification_id: int) -> str:
    return deliver(notification_id)
