"""The webhooks outbox's transport: one delivery posted, signed (enlace/core/outbox.py claims,
retries and re-queues it).

It posts the stored body with a short timeout (WEBHOOK_TIMEOUT); a 2xx answer is delivered,
anything else (another status, a refused connection, a timeout) puts the row back to pending
with a growing delay, and after WEBHOOK_MAX_ATTEMPTS attempts it is marked failed and stays for
an administrator to redeliver. Only the background task ever posts: a user's request writes the
row and goes on.
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings

from enlace.core.outbox import Outbox, OutboxError
from enlace.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from enlace.webhooks.signing import signature_header

# Minutes to wait after attempt 1, 2, 3...: a receiver down for most of a day loses nothing.
BACKOFF_MINUTES = (1, 5, 15, 60, 180, 360, 720)
USER_AGENT = "Enlace-Webhooks/1"


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


class WebhookOutbox(Outbox[WebhookDelivery]):
    model = WebhookDelivery
    name = "webhooks"
    task_path = "enlace.webhooks.tasks.deliver_webhook"
    done = DeliveryStatus.DELIVERED
    done_at = "delivered_at"
    backoff_minutes = BACKOFF_MINUTES

    def max_attempts(self) -> int:
        return int(settings.WEBHOOK_MAX_ATTEMPTS)

    def transmit(self, row: WebhookDelivery) -> dict[str, Any]:
        """Post the stored body, signed, with a short timeout."""
        endpoint = WebhookEndpoint.objects.get(pk=row.endpoint_id)
        if not endpoint.is_active:
            raise OutboxError("the endpoint is not active", permanent=True)
        body = row.body.encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Enlace-Event": row.event_type,
            "X-Enlace-Delivery": str(row.uuid),
            "X-Enlace-Signature": signature_header(endpoint.secret, body, int(time.time())),
        }
        try:
            status = post(endpoint.url, body, headers, timeout=settings.WEBHOOK_TIMEOUT)
        except PostError as error:
            raise OutboxError(str(error), fields={"last_status_code": error.status}) from error
        return {"last_status_code": status}


OUTBOX = WebhookOutbox()
deliver = OUTBOX.deliver
schedule = OUTBOX.schedule
requeue_due = OUTBOX.requeue_due
