"""What arrives from outside, stored before anything is done with it.

Every channel (the public portal, e-mail, WhatsApp, Facebook, the call centre's telephone
system, ...) first writes an `InboundMessage` row holding exactly what arrived, then a separate,
idempotent step processes it into a new case or a reply on an existing one. A crash between
the two loses nothing (the sweeper processes what was left pending); the same delivery twice
is one row (unique per channel and the sender's own message id), so it makes one case.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from enlace.core.outbox import OutboxRow


class InboundStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Ignored")
    FAILED = "failed", _("Failed")


class InboundOutcome(models.TextChoices):
    NEW_CASE = "new_case", _("New case")
    REPLY = "reply", _("Reply on a case")
    STATUS = "status", _("Delivery status")
    NONE = "", _("Nothing")


class InboundMessage(models.Model):
    # The plug-in that received it (enlace/channels/plugins.py), not the catalogue channel.
    plugin = models.CharField(_("channel"), max_length=30)
    # The sender's own id of the message (WhatsApp wamid, Message-ID, a form token): a second
    # delivery of the same message finds this row instead of making another.
    external_id = models.CharField(max_length=255)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    sender = models.CharField(_("sender"), max_length=255, blank=True)
    # What arrived, untouched: the request body or the message source, and the headers that
    # matter (a signature, a content type, the sending address).
    body = models.TextField(blank=True)
    raw = models.FileField(upload_to="inbound/%Y/%m/", blank=True)  # large sources (e-mail)
    headers = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=InboundStatus.choices, default=InboundStatus.PENDING
    )
    outcome = models.CharField(max_length=10, choices=InboundOutcome.choices, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_messages",
        db_index=False,
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # When a pending message is due to be (re)processed: the sweeper picks it up after a crash
    # or a failure, with backoff.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["plugin", "external_id"], name="inbound_once"),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="inbound_due_idx",
                condition=models.Q(status="pending"),
            ),
            models.Index(
                fields=["case", "received_at"],
                name="inbound_case_idx",
                condition=models.Q(case__isnull=False),
            ),
            models.Index(fields=["plugin", "sender", "-received_at"], name="inbound_sender_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.plugin}:{self.external_id}"


def attachment_path(instance: Attachment, filename: str) -> str:
    """Stored under its hash and its sniffed extension, never under the name it came with."""
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"attachments/{instance.sha256[:2]}/{instance.sha256}.{extension}"


class Attachment(models.Model):
    """A file a citizen sent: its type checked by its content, stored under its hash."""

    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.CASCADE,
        related_name="attachments",
        null=True,
        blank=True,
    )
    message = models.ForeignKey(
        InboundMessage, on_delete=models.CASCADE, related_name="attachments", null=True
    )
    file = models.FileField(upload_to=attachment_path)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)  # as sniffed from the content
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def digest(content: bytes) -> str:
        return hashlib.sha256(content).hexdigest()


class OutboundStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Read")
    FAILED = "failed", _("Failed")


class OutboundMessage(OutboxRow):
    """A message to a citizen on the channel they wrote from (WhatsApp, Messenger, e-mail): the
    channels' outbox (enlace/channels/replies.py), its transport the plug-in's `send`. The row
    is written with the case's event in one transaction; a background task sends it with
    retries, and a platform's status callbacks move it on (sent, delivered, read, failed)."""

    # The plug-in that sends it (enlace/channels/plugins.py).
    plugin = models.CharField(_("channel"), max_length=30)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="outbound_messages",
        db_index=False,
    )
    # The channel's id of the person: a WhatsApp number (wa_id), a Messenger page-scoped id,
    # an e-mail address.
    recipient = models.CharField(_("recipient"), max_length=255)
    text = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=10, choices=OutboundStatus.choices, default=OutboundStatus.PENDING
    )
    # The channel's id of the message once accepted (wamid..., m_..., a Message-ID): status
    # callbacks and replies name it.
    platform_id = models.CharField(_("platform message id"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta(OutboxRow.Meta):
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        indexes = [
            *OutboxRow.Meta.indexes,
            models.Index(fields=["case", "created_at"], name="outbound_case_idx"),
            models.Index(
                fields=["plugin", "platform_id"],
                name="outbound_platform_id_idx",
                condition=~models.Q(platform_id=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plugin} → {self.recipient} ({self.status})"
