"""Suggestion boxes (buzones de sugerencias): each opening of a centre's box before witnesses,
the count of forms found in it, corrections of that count, and each form transcribed into a
case (through the `buzon` channel plug-in)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BoxOpening(models.Model):
    dependency = models.ForeignKey(
        "directory.Dependency", verbose_name=_("centre"), on_delete=models.PROTECT
    )
    opened_on = models.DateField(_("opened on"))
    # [{"name": ..., "role": ...}, ...]: at least two people witness every opening.
    witnesses = models.JSONField(_("witnesses"), default=list)
    forms_found = models.PositiveIntegerField(_("forms found"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("suggestion box opening")
        verbose_name_plural = _("suggestion box openings")
        ordering = ["-opened_on", "-id"]
        indexes = [models.Index(fields=["-opened_on", "-id"], name="boxopening_opened_idx")]

    def __str__(self) -> str:
        return f"{self.dependency} {self.opened_on:%d/%m/%Y}"


class CountCorrection(models.Model):
    """The count of forms found, corrected (a form missed, one counted twice), with why."""

    opening = models.ForeignKey(
        BoxOpening, on_delete=models.CASCADE, related_name="corrections", db_index=False
    )
    from_count = models.PositiveIntegerField()
    to_count = models.PositiveIntegerField()
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["opening", "at"], name="boxcorrection_opening_idx")]

    def __str__(self) -> str:
        return f"{self.from_count} → {self.to_count}"


class BoxForm(models.Model):
    """One form of an opening, by its number in the opening, and the case it became."""

    opening = models.ForeignKey(
        BoxOpening, on_delete=models.CASCADE, related_name="forms", db_index=False
    )
    number = models.PositiveIntegerField(_("form number"))
    case = models.OneToOneField(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="box_form"
    )

    class Meta:
        ordering = ["opening", "number"]
        constraints = [
            models.UniqueConstraint(fields=["opening", "number"], name="boxform_once"),
        ]

    def __str__(self) -> str:
        return f"{self.opening_id}:{self.number}"
