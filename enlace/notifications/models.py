"""The outbox: one row per message to send, by e-mail or (an invitation to answer a study) from
a WhatsApp template. The row is written in the same transaction as the
change that causes it, so a message is never lost; a background task delivers it, and the
sweeper re-queues what a dead worker or an SMTP outage left behind."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enlace.core.outbox import OutboxRow


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    # A first message to a phone, from a template the platform approved (enlace/channels/
    # plugins.py `send_template`).
    WHATSAPP = "whatsapp", "WhatsApp"


class NotificationKind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement to the citizen")
    ANSWER = "answer", _("Answer to the citizen")
    ASSIGNMENT = "assignment", _("Assignment to the centre")
    OWNERSHIP = "ownership", _("Case given to a person")
    REMINDER = "reminder", _("Deadline reminder")
    ESCALATION = "escalation", _("Escalation to the supervisor")
    OIR_RECEIPT = "oir_receipt", _("Receipt of an information request")
    OIR_NOTICE = "oir_notice", _("Notice to the requester (clarification, extension)")
    OIR_ITEM = "oir_item", _("Information request item sent to a unit")
    OIR_RESOLUTION = "oir_resolution", _("Resolution of an information request")
    OIR_ITEM_REMINDER = "oir_item_reminder", _("Reminder to a unit of an information item")
    OIR_DUE_ALERT = "oir_due_alert", _("Information request due soon or overdue")
    SUBJECT_RECEIPT = "subject_receipt", _("Receipt of a data-protection request")
    SUBJECT_ANSWER = "subject_answer", _("Answer to a data-protection request")
    SUBJECT_DUE_ALERT = "subject_due_alert", _("Data-protection request due soon or overdue")
    BREACH_ALERT = "breach_alert", _("Breach to notify within 72 hours")
    SURVEY_INVITATION = "survey_invitation", _("Invitation to answer a study")
    SURVEY_REMINDER = "survey_reminder", _("Reminder to answer a study")
    REPORT = "report", _("Report subscribed to")
    # A person's own alerts by e-mail, as they chose (AlertPreference); OWNERSHIP and REMINDER
    # above serve the alerts of a case given to them and of a due date near.
    REVIEW = "review", _("Proposed answer to review")
    OVERDUE = "overdue", _("Deadline missed")
    MENTION = "mention", _("Mention in an internal note")


# What a notification can be about: exactly one of these columns is set.
ABOUT = ("case", "information_request", "subject_request", "breach", "invitation")
# Kinds about none of them: a report subscribed to is pointed at by its delivery
# (`notification.report_delivery`, enlace/subscriptions), an app above this one.
ABOUT_NONE = (NotificationKind.REPORT,)


def _exactly_one_of(columns: tuple[str, ...]) -> models.Q:
    condition = models.Q()
    for chosen in columns:
        one = models.Q()
        for column in columns:
            one &= models.Q(**{f"{column}__isnull": column != chosen})
        condition |= one
    return condition


class Notification(OutboxRow):
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # A notification is about exactly one thing: a case, a public-information request, a
    # data-protection request, a breach or an invitation to answer a study; or, a report
    # subscribed to, none of them (its delivery points at it).
    information_request = models.ForeignKey(
        "oir.InformationRequest",
        verbose_name=_("information request"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        db_index=False,  # notification_oir_idx leads with it
        related_name="notifications",
    )
    subject_request = models.ForeignKey(
        "privacy.SubjectRequest",
        verbose_name=_("data-protection request"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    breach = models.ForeignKey(
        "privacy.Breach",
        verbose_name=_("breach"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    invitation = models.ForeignKey(
        "surveys.Invitation",
        verbose_name=_("invitation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    channel = models.CharField(
        _("channel"),
        max_length=10,
        choices=NotificationChannel.choices,
        default=NotificationChannel.EMAIL,
    )
    # An e-mail address, or a phone in E.164 for WhatsApp.
    recipient = models.CharField(_("recipient"), max_length=254)
    subject = models.CharField(_("subject"), max_length=250)
    # What the person reads: the e-mail, or the template's text as sent (for the record).
    body = models.TextField(_("body"))
    # A template message: its name and the values of its placeholders, in order.
    template = models.CharField(_("template"), max_length=100, blank=True)
    parameters = models.JSONField(_("parameters"), default=list, blank=True)
    # The platform's id of a template message once accepted (wamid...): its status callbacks
    # name it.
    platform_id = models.CharField(_("platform message id"), max_length=255, blank=True)
    # Fixed when the row is written, so a retried message keeps its Message-ID and a mail
    # server or client can tell a repeat from a new message.
    message_id = models.CharField(max_length=200, unique=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta(OutboxRow.Meta):
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            *OutboxRow.Meta.indexes,
            models.Index(fields=["case", "created_at"], name="notification_case_idx"),
            models.Index(
                fields=["information_request", "created_at"],
                name="notification_oir_idx",
                condition=models.Q(information_request__isnull=False),
            ),
            models.Index(
                fields=["platform_id"],
                name="notification_platform_id_idx",
                condition=~models.Q(platform_id=""),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=_exactly_one_of(ABOUT)
                | models.Q(kind__in=ABOUT_NONE, **{f"{column}__isnull": True for column in ABOUT}),
                name="notification_about_one_thing",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient} ({self.status})"


# --- A person's alerts in Enlace: the bell in the header and /avisos/ ---------------------------
class AlertKind(models.TextChoices):
    OWNER = "owner", _("A case given to me")
    REVIEW = "review", _("An answer to review")
    DUE_SOON = "due_soon", _("A due date near")
    OVERDUE = "overdue", _("A due date missed")
    MENTION = "mention", _("A mention in an internal note")


# By e-mail unless the person says otherwise; every other kind only in Enlace unless they ask.
EMAIL_BY_DEFAULT = frozenset({AlertKind.OWNER, AlertKind.MENTION})


class Alert(models.Model):
    """Something that concerns one person, written by the history's subscribers in the
    transaction of the row that caused it (enlace/notifications/alerts.py). Its summary names
    the case by its code, type, centre and due date, never the citizen nor what they wrote."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        db_index=False,  # led by alert_user_idx
        related_name="alerts",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AlertKind.choices)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alerts",
    )
    # Who did what the alert tells (gave the case, proposed the answer, mentioned the person);
    # nobody for the sweeper's. Staff are deactivated rather than deleted, so no index.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_index=False,
        related_name="+",
    )
    summary = models.CharField(_("summary"), max_length=300)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-id"]
        indexes = [
            # A person's alerts, newest first (ids grow with time): the page and its pages.
            models.Index(fields=["user", "-id"], name="alert_user_idx"),
            # Their unread ones: the bell's count, from this index alone.
            models.Index(
                fields=["user", "-id"],
                name="alert_unread_idx",
                condition=models.Q(read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_id} ({'read' if self.read_at else 'unread'})"


class AlertPreference(models.Model):
    """Whether a person also wants one kind of alert by e-mail (every alert is shown in Enlace).
    No row: the default of the kind (EMAIL_BY_DEFAULT)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        db_index=False,  # led by alert_preference_once
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AlertKind.choices)
    by_email = models.BooleanField(_("by e-mail"))

    class Meta:
        verbose_name = _("alert preference")
        verbose_name_plural = _("alert preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="alert_preference_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {'e-mail' if self.by_email else 'Enlace'}"
