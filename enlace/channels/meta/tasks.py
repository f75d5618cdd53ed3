"""Background tasks of the Meta channels: they take ids and call one core function."""

from __future__ import annotations

from django_tasks import task

from enlace.channels.meta.delivery import deliver


@task()
def send_platform_message(outbound_id: int) -> str:
    return deliver(outbound_id)
