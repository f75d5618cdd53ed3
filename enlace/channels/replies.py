"""The channels' outbox: messages to citizens on the channel they wrote from, each sent by its
plug-in's transport (`ChannelPlugin.send`); enlace/core/outbox.py claims, retries and re-queues
them. A failure that may pass (the network, a 5xx, a rate limit) is retried with a growing
delay; one that cannot (the platform refused the request), or the last attempt, marks the row
failed, shown on the case."""

from __future__ import annotations

from typing import Any

from enlace.channels.models import OutboundMessage, OutboundStatus
from enlace.channels.plugins import PLUGINS
from enlace.core.outbox import Outbox, OutboxError

MAX_ATTEMPTS = 6
# Minutes to wait after attempt 1, 2, 3...: a reply is worth little after a day.
BACKOFF_MINUTES = (1, 5, 15, 60, 180)


class ReplyOutbox(Outbox[OutboundMessage]):
    model = OutboundMessage
    name = "replies"
    task_path = "enlace.channels.tasks.send_reply"
    done = OutboundStatus.SENT
    done_at = "sent_at"
    attempts = MAX_ATTEMPTS
    backoff_minutes = BACKOFF_MINUTES

    def transmit(self, row: OutboundMessage) -> dict[str, Any]:
        plugin = PLUGINS.get(row.plugin)
        if plugin is None:
            raise OutboxError(f"no channel plug-in {row.plugin!r}", permanent=True)
        if not plugin.sends():
            raise OutboxError("the channel is not configured to send")
        return {"platform_id": plugin.send(row)}


OUTBOX = ReplyOutbox()
deliver = OUTBOX.deliver
schedule = OUTBOX.schedule
requeue_due = OUTBOX.requeue_due
