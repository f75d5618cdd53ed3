"""Background tasks: they take ids, and call one core function."""

from __future__ import annotations

from enlace.core.requestid import task
from enlace.webhooks.delivery import deliver


@task()
def deliver_webhook(delivery_id: int) -> str:
    return deliver(delivery_id)
