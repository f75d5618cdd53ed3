"""Writes of the Meta channels: a reply to the citizen from the case, and the platform's word on
how it went (status callbacks)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.cases.models import Case, CaseEvent, EventKind
from enlace.cases.rules import phone_or_none
from enlace.channels.meta import delivery
from enlace.channels.meta.platforms import CODES, LABELS, WHATSAPP, platform
from enlace.channels.models import (
    InboundMessage,
    InboundOutcome,
    OutboundMessage,
    OutboundStatus,
)
from enlace.core.errors import BusinessError

# Both platforms let a business write freely only within 24 hours of the person's last
# message; after that only pre-approved templates, which Enlace does not send.
REPLY_WINDOW = timedelta(hours=24)

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


@dataclass(frozen=True)
class Route:
    """Where a reply to the case goes: the platform and the person who last wrote on it."""

    plugin: str
    recipient: str
    last_message_at: datetime


def reply_route(case: Case) -> Route | None:
    """The platform and person a case can be answered on: the person who opened it there, or,
    on WhatsApp, the case's own phone number, whichever wrote last. Someone else who merely
    quoted the tracking code is not answered (their message is on the case; a person decides)."""
    messages = list(
        InboundMessage.objects.filter(
            case=case,
            plugin__in=CODES,
            outcome__in=(InboundOutcome.NEW_CASE, InboundOutcome.REPLY),
        )
        .exclude(sender="")
        .order_by("-received_at", "-id")
        .only("plugin", "sender", "received_at", "outcome")[:200]
    )
    openers = {(m.plugin, m.sender) for m in messages if m.outcome == InboundOutcome.NEW_CASE}
    for message in messages:
        if (message.plugin, message.sender) in openers or (
            message.plugin == WHATSAPP
            and case.citizen_phone
            and phone_or_none(f"+{message.sender}") == case.citizen_phone
        ):
            return Route(message.plugin, message.sender, message.received_at)
    return None


def do_send_platform_reply(case: Case, text: str, *, acting_user: User) -> OutboundMessage:
    """Write a message to the citizen on the platform they wrote from, and its event on the
    case; it is sent by a background task once this commits."""
    text = text.strip()
    if not text:
        raise BusinessError(_("Write the message."), field="text")
    if len(text) > 4096:  # WhatsApp's limit for a text message
        raise BusinessError(_("The message is longer than 4,096 characters."), field="text")
    route = reply_route(case)
    if route is None:
        raise BusinessError(_("This case did not arrive by WhatsApp or Facebook."))
    if not platform(route.plugin).sends:
        raise BusinessError(
            _("Sending by %(channel)s is not configured.") % {"channel": LABELS[route.plugin]}
        )
    if timezone.now() - route.last_message_at > REPLY_WINDOW:
        raise BusinessError(
            _(
                "%(channel)s only lets us write within 24 hours of the citizen's last message; "
                "contact the citizen another way."
            )
            % {"channel": LABELS[route.plugin]}
        )
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        outbound = OutboundMessage.objects.create(
            plugin=route.plugin,
            case=case,
            recipient=route.recipient,
            text=text,
            created_by=acting_user,
        )
        Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
        CaseEvent.objects.create(
            case=case,
            kind=EventKind.MESSAGE_SENT,
            actor=acting_user,
            at=timezone.now(),
            note=text,
            changes={"channel": {"from": "", "to": LABELS[route.plugin]}},
        )
        delivery.schedule(outbound.pk)
    return outbound


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
