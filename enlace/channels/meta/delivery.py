"""Sending one outbound message, and re-queuing those left behind: the same shape as
enlace/notifications/delivery.py.

`deliver` claims the row with a conditional UPDATE (pending -> sending, with a lease), so two
workers handed the same id never both send it. A failure that may pass (the network, a 5xx, a
rate limit) puts the row back to pending with a growing delay; one that cannot (the platform
refused the request) or the last attempt marks it failed, shown on the case.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db.models import F, Q
from django.utils import timezone

from enlace.channels.meta import graph
from enlace.channels.meta.platforms import platform
from enlace.channels.models import OutboundMessage, OutboundStatus
from enlace.core.outbox import backoff as outbox_backoff
from enlace.core.outbox import enqueue_after_commit, requeue_left_behind

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
LEASE = timedelta(minutes=5)
# Minutes to wait after attempt 1, 2, 3...: a reply is worth little after a day.
BACKOFF_MINUTES = (1, 5, 15, 60, 180)


def backoff(attempts: int) -> timedelta:
    return outbox_backoff(attempts, BACKOFF_MINUTES)


def deliver(outbound_id: int, *, now: datetime | None = None) -> str:
    """Send one message if it is due and nobody else is sending it. Returns what happened:
    "sent", "retry", "failed" or "skipped"."""
    now = now or timezone.now()
    claimed = OutboundMessage.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        pk=outbound_id,
        status=OutboundStatus.PENDING,
    ).update(status=OutboundStatus.SENDING, attempts=F("attempts") + 1, locked_until=now + LEASE)
    if not claimed:
        return "skipped"
    outbound = OutboundMessage.objects.get(pk=outbound_id)
    target = platform(outbound.plugin)
    try:
        if not target.sends:
            raise graph.GraphError("the channel is not configured to send", permanent=False)
        platform_id = graph.send_text(target, outbound.recipient, outbound.text)
    except graph.GraphError as error:
        final = error.permanent or outbound.attempts >= MAX_ATTEMPTS
        OutboundMessage.objects.filter(pk=outbound_id).update(
            status=OutboundStatus.FAILED if final else OutboundStatus.PENDING,
            next_attempt_at=None if final else now + backoff(outbound.attempts),
            last_error=str(error)[:1000],
            locked_until=None,
        )
        logger.warning(
            "%s message %s attempt %s failed: %s",
            outbound.plugin,
            outbound_id,
            outbound.attempts,
            error,
        )
        if not final:
            schedule(outbound_id, run_after=now + backoff(outbound.attempts))
        return "failed" if final else "retry"
    # A status callback may already have moved it on (it can arrive before this answer).
    OutboundMessage.objects.filter(pk=outbound_id, status=OutboundStatus.SENDING).update(
        status=OutboundStatus.SENT
    )
    OutboundMessage.objects.filter(pk=outbound_id).update(
        platform_id=platform_id, sent_at=timezone.now(), locked_until=None, last_error=""
    )
    return "sent"


def schedule(outbound_id: int, *, run_after: datetime | None = None) -> None:
    """Enqueue the sending task (after the current transaction commits)."""
    from enlace.channels.meta.tasks import send_platform_message

    enqueue_after_commit(send_platform_message, outbound_id, run_after=run_after)


# A pending row younger than this most likely has its task still in the queue.
REQUEUE_GRACE = timedelta(minutes=2)


def requeue_due(*, now: datetime | None = None) -> int:
    """Hand back to the queue what was left behind: rows whose sender's lease ran out and
    pending rows overdue by REQUEUE_GRACE. Sending twice is prevented by the claim."""
    now = now or timezone.now()
    return requeue_left_behind(
        OutboundMessage,
        sending=OutboundStatus.SENDING,
        pending=OutboundStatus.PENDING,
        now=now,
        grace=REQUEUE_GRACE,
        schedule=schedule,
    )
