"""Writes of the Meta channels: the platform's word on how a reply or a template message went
(status callbacks). The reply itself is the channels' (enlace/channels/actions.py
`do_send_reply`); a template message is a notification (enlace/notifications)."""

from __future__ import annotations

from datetime import UTC, datetime

from django.utils.translation import gettext as _

from enlace.channels.models import OutboundMessage, OutboundStatus
from enlace.notifications.models import Notification, NotificationStatus

# How far along a message is: a status callback never moves it back (they may arrive out of
# order). A failure after delivery is not possible; before it, it wins.
_RANK = {
    OutboundStatus.PENDING: 0,
    OutboundStatus.SENDING: 1,
    OutboundStatus.SENT: 2,
    OutboundStatus.FAILED: 3,
    OutboundStatus.DELIVERED: 4,
    OutboundStatus.READ: 5,
}


def record_status(plugin: str, data: dict[str, object]) -> OutboundMessage | None:
    """Apply a status callback to our outbound message it names; None if it names none of ours
    (a message sent from elsewhere, say). Runs inside the processing transaction."""
    state = str(data.get("status") or "")
    if state not in (OutboundStatus.SENT, OutboundStatus.DELIVERED, OutboundStatus.READ, "failed"):
        return None
    if "watermark" in data:
        # Messenger's read receipt: everything sent to that person before the watermark (ms).
        return _record_read_watermark(plugin, data)
    rows = OutboundMessage.objects.select_for_update().filter(
        plugin=plugin, platform_id=str(data.get("id") or "")
    )
    outbound = rows.first()
    if outbound is None or not str(data.get("id") or ""):
        return None
    _advance(outbound, OutboundStatus(state), _failure(data))
    return outbound


def record_template_status(plugin: str, data: dict[str, object]) -> Notification | None:
    """Apply a status callback to a template message of the notifications' outbox it names;
    None if it names none. The outbox knows sent and failed: WhatsApp may say a message it
    accepted could not be delivered (a number without WhatsApp, say), which is recorded as its
    failure; delivered and read leave it sent."""
    platform_id = str(data.get("id") or "")
    if not platform_id:
        return None
    notification = (
        Notification.objects.select_for_update()
        .filter(channel=plugin, platform_id=platform_id)
        .first()
    )
    if notification is None:
        return None
    if data.get("status") == "failed" and notification.status == NotificationStatus.SENT:
        notification.status = NotificationStatus.FAILED
        notification.last_error = _failure(data) or _("The platform could not deliver the message.")
        notification.save(update_fields=["status", "last_error"])
    return notification


def _failure(data: dict[str, object]) -> str:
    errors = data.get("errors")
    if not isinstance(errors, list):
        return ""
    parts = []
    for error in errors:
        if isinstance(error, dict):
            detail = error.get("error_data")
            extra = detail.get("details") if isinstance(detail, dict) else None
            parts.append(
                f"{error.get('code', '?')}: {error.get('title') or error.get('message') or ''}"
                + (f" ({extra})" if extra else "")
            )
    return "; ".join(parts)[:1000]


def _advance(outbound: OutboundMessage, state: OutboundStatus, error: str = "") -> None:
    if _RANK[state] <= _RANK[OutboundStatus(outbound.status)]:
        return
    outbound.status = state
    fields = ["status"]
    if state == OutboundStatus.FAILED:
        outbound.last_error = error or _("The platform could not deliver the message.")
        outbound.next_attempt_at = None
        fields += ["last_error", "next_attempt_at"]
    outbound.save(update_fields=fields)


def _record_read_watermark(plugin: str, data: dict[str, object]) -> OutboundMessage | None:
    try:
        watermark = datetime.fromtimestamp(int(str(data["watermark"])) / 1000, tz=UTC)
    except (KeyError, ValueError, OverflowError):
        return None
    recipient = str(data.get("recipient") or "")
    last = None
    for outbound in OutboundMessage.objects.select_for_update().filter(
        plugin=plugin,
        recipient=recipient,
        sent_at__lte=watermark,
        status__in=(OutboundStatus.SENT, OutboundStatus.DELIVERED),
    ):
        _advance(outbound, OutboundStatus.READ)
        last = outbound
    return last
