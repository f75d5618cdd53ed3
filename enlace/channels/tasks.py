"""Background tasks of the channels: they take ids and call one core function."""

from __future__ import annotations

from enlace.channels import replies
from enlace.channels.actions import do_process_message
from enlace.core.requestid import task


@task()
def process_message(message_id: int) -> str:
    return do_process_message(message_id)


@task()
def send_reply(outbound_id: int) -> str:
    return replies.deliver(outbound_id)
