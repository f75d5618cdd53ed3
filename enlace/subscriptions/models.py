"""Reports sent on schedule: who receives which report how often, and each period produced.

A subscription is data for the sweeper: it carries the last day of the next period to produce
(`period_end`) and the moment the sweeper takes it (`due_at`, read through a partial index of
the active ones). Each period produced is one `ReportDelivery`, unique per subscription and
period, so a report is never produced (nor mailed) twice; the mail is a row of the
notifications' outbox, which the delivery points at.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from enlace.core.models import AppendOnlyModel
from enlace.subscriptions import registry
from enlace.subscriptions.rules import Frequency


class ReportSubscription(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("subscriber"),
        on_delete=models.CASCADE,
        related_name="report_subscriptions",
    )
    # A key of enlace/subscriptions/registry.py.
    report = models.CharField(_("report"), max_length=40)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    # The centre of a centre's report (the subscriber's own for a liaison); empty otherwise.
    centre = models.ForeignKey(
        "directory.Dependency",
        verbose_name=_("centre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # The last day of the next period to produce, and when the sweeper takes it: the morning
    # after that day, or later after a failure to render.
    period_end = models.DateField(_("next period ends on"))
    due_at = models.DateTimeField(_("due at"))
    failures = models.PositiveSmallIntegerField(_("failures in a row"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")
        ordering = ["-created_at", "-id"]
        indexes = [
            # What the sweeper reads: the active subscriptions, by when they are due.
            models.Index(
                fields=["due_at"], name="subscription_due_idx", condition=models.Q(active=True)
            ),
        ]
        constraints = [
            # One active subscription per person, report, frequency (and centre).
            models.UniqueConstraint(
                fields=["user", "report", "frequency", "centre"],
                condition=models.Q(active=True, centre__isnull=False),
                name="subscription_once_per_centre",
            ),
            models.UniqueConstraint(
                fields=["user", "report", "frequency"],
                condition=models.Q(active=True, centre__isnull=True),
                name="subscription_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.frequency} → {self.user_id}"

    @property
    def report_label(self) -> StrOrPromise:
        return registry.label_of(self.report)


class SubscriptionEventKind(models.TextChoices):
    SUBSCRIBED = "subscribed", _("Subscribed")
    ENDED = "ended", _("Ended")


class SubscriptionEvent(AppendOnlyModel):
    """The history of a subscription: who subscribed and who ended it (nobody: the sweeper,
    when the subscriber may no longer receive the report)."""

    subscription = models.ForeignKey(
        ReportSubscription,
        verbose_name=_("subscription"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    kind = models.CharField(_("event"), max_length=20, choices=SubscriptionEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("when"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("subscription event")
        verbose_name_plural = _("subscription events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.subscription_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


def delivery_path(delivery: ReportDelivery, filename: str) -> str:
    return f"subscriptions/{delivery.subscription_id}/{uuid.uuid4().hex}.pdf"


class ReportDelivery(models.Model):
    """One period of a subscription, produced once: the PDF as mailed, and the mail."""

    subscription = models.ForeignKey(
        ReportSubscription,
        verbose_name=_("subscription"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    produced_at = models.DateTimeField(_("produced at"))
    # The PDF as produced, in the default storage (MEDIA_ROOT, or object storage).
    pdf = models.FileField(upload_to=delivery_path, max_length=200, editable=False)
    filename = models.CharField(_("file name"), max_length=150)
    # The mail that carries it (none if the subscriber had no address then).
    notification = models.OneToOneField(
        "notifications.Notification",
        verbose_name=_("e-mail"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="report_delivery",
    )

    class Meta:
        verbose_name = _("report delivery")
        verbose_name_plural = _("report deliveries")
        ordering = ["-period_end", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "period_start", "period_end"], name="report_delivery_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id} {self.period_start} - {self.period_end}"
