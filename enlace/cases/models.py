"""Cases (opinions and inquiries) and their append-only history."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from enlace.cases.lifecycle import OPEN_STATUSES, CaseKind, CaseStatus
from enlace.cases.rules import format_phone, format_tracking_code
from enlace.directory.models import LevelOfCare


class Case(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=CaseKind.choices)
    tracking_code = models.CharField(_("tracking code"), max_length=10, unique=True)
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.RECEIVED
    )

    # Classification. The foreign keys that lead a composite index below carry no index of
    # their own: the composite one serves both the filter and the order of the list.
    channel = models.ForeignKey(
        "catalogues.Channel", verbose_name=_("channel"), on_delete=models.PROTECT, db_index=False
    )
    opinion_type = models.ForeignKey(
        "catalogues.OpinionType",
        verbose_name=_("opinion type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
    )
    dependency = models.ForeignKey(
        "directory.Dependency",
        verbose_name=_("centre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="cases",
    )
    # Copied from the dependency when it is set: the level of care the case was counted under,
    # and a filter the list can serve from an index without a join.
    level_of_care = models.CharField(
        _("level of care"), max_length=20, choices=LevelOfCare.choices, blank=True
    )
    limitante = models.ForeignKey(
        "catalogues.Limitante",
        verbose_name=_("limitante"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    topic = models.ForeignKey(
        "catalogues.InquiryTopic",
        verbose_name=_("inquiry topic"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )

    # The person. Everything is optional: many inquiries are anonymous.
    citizen_name = models.CharField(_("name"), max_length=200, blank=True)
    citizen_dui = models.CharField(_("DUI"), max_length=10, blank=True)
    citizen_affiliation = models.CharField(_("affiliation number"), max_length=12, blank=True)
    citizen_phone = models.CharField(_("phone"), max_length=16, blank=True)
    citizen_email = models.EmailField(_("email"), blank=True)

    description = models.TextField(_("description"), blank=True)
    answer = models.TextField(_("answer"), blank=True)
    resolved_at_first_contact = models.BooleanField(_("answered at first contact"), default=False)
    # Folded (lower case, no accents) name and description: what free-text search reads.
    search_text = models.TextField(editable=False, default="")

    received_at = models.DateTimeField(_("received at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A random token rendered into the intake form: posting the same form twice (a double
    # click, a retried request) finds the case the first post created instead of a second one.
    intake_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-received_at", "-id"]
        indexes = [
            # The list is ordered by (received_at, id) descending and paginated by keyset; each
            # filter that leads an index lets a filtered page read only the rows it shows.
            models.Index(fields=["-received_at", "-id"], name="case_received_idx"),
            models.Index(
                fields=["dependency", "-received_at", "-id"], name="case_dep_received_idx"
            ),
            models.Index(fields=["channel", "-received_at", "-id"], name="case_chan_received_idx"),
            models.Index(fields=["status", "-received_at", "-id"], name="case_status_received_idx"),
            models.Index(fields=["kind", "-received_at", "-id"], name="case_kind_received_idx"),
            models.Index(
                fields=["opinion_type", "-received_at", "-id"], name="case_type_received_idx"
            ),
            models.Index(
                fields=["level_of_care", "-received_at", "-id"], name="case_level_received_idx"
            ),
            models.Index(fields=["citizen_dui"], name="case_dui_idx"),
            models.Index(fields=["citizen_phone"], name="case_phone_idx"),
            models.Index(fields=["citizen_affiliation"], name="case_affiliation_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind=CaseKind.OPINION) | models.Q(opinion_type__isnull=False),
                name="opinion_has_type",
            ),
        ]

    def __str__(self) -> str:
        return self.display_code

    @property
    def display_code(self) -> str:
        return format_tracking_code(self.tracking_code)

    @property
    def display_phone(self) -> str:
        return format_phone(self.citizen_phone)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def subject(self) -> str:
        """What the case is about, in a few words: its type or topic."""
        if self.kind == CaseKind.OPINION and self.opinion_type:
            return str(self.opinion_type)
        return str(self.topic) if self.topic else str(CaseKind(self.kind).label)


class EventKind(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    COMMENTED = "commented", _("Comment")
    RECLASSIFIED = "reclassified", _("Reclassified")
    ASSIGNED = "assigned", _("Assigned")
    CLOSED = "closed", _("Closed")


class CaseEvent(models.Model):
    """One row per thing that happened to a case: who, when, what, from what to what.

    Rows are only ever added. `save()` refuses to update one, and the console and admin offer
    no way to edit or delete them."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", db_index=False)
    kind = models.CharField(_("event"), max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("when"))
    from_status = models.CharField(max_length=20, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=CaseStatus.choices, blank=True)
    # {"field": {"from": "...", "to": "..."}} with human-readable values as they were then.
    changes = models.JSONField(default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at", "id"], name="caseevent_case_at_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("Case events are append-only")
        super().save(*args, **kwargs)
