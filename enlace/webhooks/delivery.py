"""Posting one webhook delivery, and re-queuing those left behind: the same shape as
enlace/notifications/delivery.py.

`deliver` claims the row with a conditional UPDATE (pending -> sending, with a lease), so two
workers handed the same id never both post it. It posts the stored body, signed, with a short
timeout (WEBHOOK_TIMEOUT); a 2xx answer is delivered, anything else (another status, a refused
connection, a timeout) puts the row back to pending with a growing delay, and after
WEBHOOK_MAX_ATTEMPTS attempts it is marked failed and stays for an administrator to redeliver.
Only the background task ever posts: a user's request writes the row and goes on.
"""

from __future__ import annotations

import http.client
import logging
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from enlace.core.outbox import backoff as outbox_backoff
from enlace.core.outbox import enqueue_after_commit, requeue_left_behind
from enlace.webhooks.models import DeliveryStatus, WebhookDelivery
from enlace.webhooks.signing import signature_header

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
# Minutes to wait after attempt 1, 2, 3...: a receiver down for most of a day loses nothing.
BACKOFF_MINUTES = (1, 5, 15, 60, 180, 360, 720)
USER_AGENT = "Enlace-Webhooks/1"


def backoff(attempts: int) -> timedelta:
    return outbox_backoff(attempts, BACKOFF_MINUTES)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is not a delivery: it is recorded as its 3xx status and retried, and the
    signed body never goes to an address the administrator did not register."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        return None


_opener = urllib.request.build_opener(_NoRedirects())


class PostError(Exception):
    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> int:
    """POST `body` to `url`; the 2xx status, or PostError."""
    if not url.startswith(("https://", "http://")):
        raise PostError(f"not a web address: {url[:100]}")
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url, data=body, headers=headers, method="POST"
    )
    try:
        with _opener.open(request, timeout=timeout) as response:
            response.read(64 * 1024)
            return int(response.status)
    except urllib.error.HTTPError as error:
        raise PostError(f"HTTP {error.code}: {_error_text(error)}", status=error.code) from error
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise PostError(f"{type(error).__name__}: {reason}") from error


def _error_text(error: urllib.error.HTTPError) -> str:
    try:
        text = error.read(2048).decode("utf-8", "replace").strip()
    except (OSError, http.client.HTTPException):
        text = ""
    return (text or str(error.reason))[:500]


def deliver(delivery_id: int, *, now: datetime | None = None) -> str:
    """Post one delivery if it is due and nobody else is posting it. Returns what happened:
    "delivered", "retry", "failed" or "skipped"."""
    now = now or timezone.now()
    claimed = WebhookDelivery.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        pk=delivery_id,
        status=DeliveryStatus.PENDING,
    ).update(status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, locked_until=now + LEASE)
    if not claimed:
        return "skipped"
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            status=DeliveryStatus.FAILED,
            next_attempt_at=None,
            locked_until=None,
            last_error="the endpoint is not active",
        )
        return "failed"
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Enlace-Event": delivery.event_type,
        "X-Enlace-Delivery": str(delivery.uuid),
        "X-Enlace-Signature": signature_header(endpoint.secret, body, int(time.time())),
    }
    try:
        status = post(endpoint.url, body, headers, timeout=settings.WEBHOOK_TIMEOUT)
    except PostError as error:
        final = delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            status=DeliveryStatus.FAILED if final else DeliveryStatus.PENDING,
            next_attempt_at=None if final else now + backoff(delivery.attempts),
            last_status_code=error.status,
            last_error=str(error)[:1000],
            locked_until=None,
        )
        logger.warning(
            "webhook delivery %s to %s attempt %s failed: %s",
            delivery_id,
            endpoint.url,
            delivery.attempts,
            error,
        )
        if not final:
            schedule(delivery_id, run_after=now + backoff(delivery.attempts))
        return "failed" if final else "retry"
    WebhookDelivery.objects.filter(pk=delivery_id).update(
        status=DeliveryStatus.DELIVERED,
        delivered_at=timezone.now(),
        last_status_code=status,
        last_error="",
        locked_until=None,
        next_attempt_at=None,
    )
    return "delivered"


def schedule(delivery_id: int, *, run_after: datetime | None = None) -> None:
    """Enqueue the posting task (after the current transaction commits)."""
    from enlace.webhooks.tasks import deliver_webhook

    enqueue_after_commit(deliver_webhook, delivery_id, run_after=run_after)


# A pending row younger than this most likely has its task still in the queue.
REQUEUE_GRACE = timedelta(minutes=2)


def requeue_due(*, now: datetime | None = None) -> int:
    """Hand back to the queue what was left behind: rows whose worker's lease ran out (it died
    mid-post) and pending rows overdue by REQUEUE_GRACE (their task was lost, or the queue was
    down). Posting twice is prevented by the claim."""
    now = now or timezone.now()
    return requeue_left_behind(
        WebhookDelivery,
        sending=DeliveryStatus.SENDING,
        pending=DeliveryStatus.PENDING,
        now=now,
        grace=REQUEUE_GRACE,
        schedule=schedule,
    )
