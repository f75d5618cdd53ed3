"""Improvement opportunities (oportunidades de mejora): what the opinions, visits and studies
showed should change at a centre, with the plan, its owner and its due date."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from enlace.core.models import AppendOnlyModel


class ImprovementStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_IMPROVEMENT_STATUSES = (ImprovementStatus.OPEN, ImprovementStatus.IN_PROGRESS)


class ImprovementSource(models.TextChoices):
    OPINIONS = "opinions", _("Opinions")
    MONITORING_VISIT = "monitoring_visit", _("Monitoring visit")
    SATISFACTION_STUDY = "satisfaction_study", _("Satisfaction study")
    MYSTERY_SHOPPER = "mystery_shopper", _("Mystery shopper")
    OTHER = "other", _("Other")


class ImprovementOpportunity(models.Model):
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what was found"), blank=True)
    source = models.CharField(
        _("source"),
        max_length=20,
        choices=ImprovementSource.choices,
        default=ImprovementSource.OPINIONS,
    )
    dependency = models.ForeignKey(
        "directory.Dependency",
        verbose_name=_("centre"),
        on_delete=models.PROTECT,
        related_name="improvements",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action_plan = models.TextField(_("action plan"), blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ImprovementStatus.choices,
        default=ImprovementStatus.OPEN,
    )
    cases = models.ManyToManyField(
        "cases.Case", verbose_name=_("cases"), blank=True, related_name="improvements"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("improvement opportunity")
        verbose_name_plural = _("improvement opportunities")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["dependency", "status", "due_on"], name="improvement_dep_idx"),
            models.Index(fields=["status", "due_on"], name="improvement_status_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_IMPROVEMENT_STATUSES


class ImprovementEvent(AppendOnlyModel):
    """The history of an opportunity, one row per change (append-only)."""

    opportunity = models.ForeignKey(
        ImprovementOpportunity, on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("when"))
    from_status = models.CharField(max_length=20, choices=ImprovementStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ImprovementStatus.choices, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.opportunity_id} {self.at:%Y-%m-%d}"
