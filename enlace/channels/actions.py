"""The two steps of every channel: store what arrived (`do_receive_message`), then process it
(`do_process_message`), idempotently; the sweeper's part: process what a crash or a failure left
pending (`requeue_pending`). And the way back: a message to the citizen on the channel they
wrote from (`reply_route`, `do_send_reply`)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.accounts.models import User
from enlace.cases import history
from enlace.cases.models import Case, EventKind
from enlace.channels import replies
from enlace.channels.models import (
    Attachment,
    InboundMessage,
    InboundOutcome,
    InboundStatus,
    OutboundMessage,
)
from enlace.channels.plugins import PLUGINS, ReplyRoute
from enlace.core.errors import BusinessError

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF_MINUTES = (1, 5, 15, 60, 240)
# A message still pending this long after it arrived was lost by its task: the sweeper
# enqueues it again.
GRACE = timedelta(minutes=2)


def do_receive_message(
    plugin: str,
    external_id: str,
    *,
    body: str = "",
    sender: str = "",
    headers: dict[str, Any] | None = None,
    raw: bytes | None = None,
    process: bool = True,
) -> tuple[InboundMessage, bool]:
    """Store a message as it arrived, once: (message, created). The same message delivered
    again (same plug-in and external id) returns the stored row and processes nothing twice.
    Processing is enqueued after the commit; nothing here can lose what arrived."""
    if plugin not in PLUGINS:
        raise ValueError(f"no channel plug-in {plugin!r}")
    external_id = external_id[:255]  # the column's width: look up what is stored
    existing = InboundMessage.objects.filter(plugin=plugin, external_id=external_id).first()
    if existing is not None:
        return existing, False
    message = InboundMessage(
        plugin=plugin,
        external_id=external_id,
        body=body,
        sender=sender[:255],
        headers=headers or {},
        next_attempt_at=timezone.now() + GRACE,
    )
    if raw is not None:
        message.raw.save(f"{plugin}.eml", ContentFile(raw), save=False)
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:  # the same message, delivered twice at the same moment
        return InboundMessage.objects.get(plugin=plugin, external_id=external_id), False
    if process:
        schedule(message.pk)
    return message, True


def do_store_refused(
    plugin: str, body: bytes, reason: str, *, headers: dict[str, Any] | None = None
) -> InboundMessage:
    """Keep what an authenticated sender posted that cannot be read (not UTF-8, not JSON,
    nested past any sense): stored once under its content's hash, as ignored with the reason,
    never processed. The sender is told 400; a person can look at it in the administration."""
    digest = hashlib.sha256(body).hexdigest()
    message, created = do_receive_message(
        plugin,
        f"refused:{digest}",
        body=body.decode("utf-8", errors="replace"),
        headers=headers,
        process=False,
    )
    if created:
        InboundMessage.objects.filter(pk=message.pk).update(
            status=InboundStatus.IGNORED, error=reason[:1000], next_attempt_at=None
        )
    return message


def schedule(message_id: int) -> None:
    from enlace.channels.tasks import process_message

    # With the queue down the message stays pending, stored; `requeue_pending` (the sweeper)
    # enqueues it later, and the sender still gets its answer.
    transaction.on_commit(lambda: process_message.enqueue(message_id), robust=True)


def do_process_message(message_id: int, *, now: datetime | None = None) -> str:
    """Process one stored message with its plug-in, if it is still pending. Returns its status
    afterwards. A failure is recorded on the row and retried later with backoff; after
    MAX_ATTEMPTS the message is marked failed (still stored, shown for a person to handle)."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            message = (
                InboundMessage.objects.select_for_update()
                .filter(pk=message_id, status=InboundStatus.PENDING)
                .first()
            )
            if message is None:
                return "skipped"
            processed = PLUGINS[message.plugin].process(message)
            message.outcome = processed.outcome
            message.case_id = processed.case_id
            message.status = (
                InboundStatus.IGNORED
                if processed.outcome == InboundOutcome.NONE
                else InboundStatus.PROCESSED
            )
            message.processed_at = now
            message.next_attempt_at = None
            message.attempts += 1
            message.error = ""
            message.save()
            return str(message.status)
    except Exception as error:  # a plug-in's failure must not lose the message: record it
        logger.exception("inbound message %s failed", message_id)
        message = InboundMessage.objects.get(pk=message_id)
        attempts = message.attempts + 1
        final = attempts >= MAX_ATTEMPTS
        InboundMessage.objects.filter(pk=message_id).update(
            attempts=attempts,
            status=InboundStatus.FAILED if final else InboundStatus.PENDING,
            next_attempt_at=None
            if final
            else now + timedelta(minutes=BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1]),
            error=f"{type(error).__name__}: {error}"[:2000],
        )
        return str(InboundStatus.FAILED if final else InboundStatus.PENDING)


def requeue_pending(*, now: datetime | None = None, limit: int = 500) -> int:
    """Enqueue processing for pending messages whose moment has come (a lost task, a retry).
    Returns how many."""
    now = now or timezone.now()
    due = list(
        InboundMessage.objects.filter(
            Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True),
            status=InboundStatus.PENDING,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        InboundMessage.objects.filter(pk=pk).update(next_attempt_at=now + GRACE)
        schedule(pk)
    return len(due)


# --- Replies ---------------------------------------------------------------------------------
# How many of a case's latest messages are read to find whom to answer.
ROUTE_MESSAGES = 200


def reply_route(case: Case) -> ReplyRoute | None:
    """Where a message to the citizen about `case` goes: the channel they last wrote on, among
    those that can answer, to the person its plug-in accepts (who opened the case there, or
    the case's own phone or address). Someone else who merely quoted the tracking code is not
    answered: their message is on the case, and a person decides. One query."""
    answering = [code for code, plugin in PLUGINS.items() if plugin.answers]
    messages = list(
        InboundMessage.objects.filter(
            case=case,
            plugin__in=answering,
            outcome__in=(InboundOutcome.NEW_CASE, InboundOutcome.REPLY),
        )
        .exclude(sender="")
        .order_by("-received_at", "-id")
        .only("plugin", "sender", "received_at", "outcome")[:ROUTE_MESSAGES]
    )
    openers = {(m.plugin, m.sender) for m in messages if m.outcome == InboundOutcome.NEW_CASE}
    for message in messages:
        opened = (message.plugin, message.sender) in openers
        if PLUGINS[message.plugin].may_answer(case, message.sender, opened=opened):
            return ReplyRoute(message.plugin, message.sender, message.received_at)
    return None


def do_send_reply(case: Case, text: str, *, acting_user: User) -> OutboundMessage:
    """Write a message to the citizen on the channel they wrote from, and its event on the
    case; the channel's plug-in sends it from the outbox once this commits."""
    text = text.strip()
    if not text:
        raise BusinessError(_("Write the message."), field="text")
    route = reply_route(case)
    if route is None:
        raise BusinessError(_("This case did not arrive by a channel Enlace can answer on."))
    plugin = PLUGINS[route.plugin]
    if len(text) > plugin.max_reply_length:
        raise BusinessError(
            _("The message is longer than %(count)s characters.")
            % {"count": f"{plugin.max_reply_length:,}"},
            field="text",
        )
    if not plugin.sends():
        raise BusinessError(
            _("Sending by %(channel)s is not configured.") % {"channel": plugin.label}
        )
    window = plugin.reply_window
    if window is not None and timezone.now() - route.last_message_at > window:
        raise BusinessError(
            _(
                "%(channel)s only lets us write within %(hours)s hours of the citizen's last "
                "message; contact the citizen another way."
            )
            % {"channel": plugin.label, "hours": int(window.total_seconds() // 3600)}
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
        history.record(
            case,
            EventKind.MESSAGE_SENT,
            acting_user,
            note=text,
            changes={"channel": {"from": "", "to": str(plugin.label)}},
        )
        replies.schedule(outbound.pk)
    return outbound


def erase_for_cases(case_ids: Sequence[int]) -> int:
    """What the channels keep of erased cases' people (data protection): the messages as they
    arrived (the body, the sender, the raw source), the files, the replies sent."""
    erased = 0
    for message in InboundMessage.objects.filter(case_id__in=case_ids).exclude(raw=""):
        message.raw.delete(save=False)
    erased += InboundMessage.objects.filter(case_id__in=case_ids).update(
        body="", sender="", headers={}, raw=""
    )
    for attachment in Attachment.objects.filter(case_id__in=case_ids):
        attachment.file.delete(save=False)
        attachment.delete()
        erased += 1
    erased += OutboundMessage.objects.filter(case_id__in=case_ids).update(recipient="", text="")
    return erased
