"""What the public portal keeps beside a case: the hash of an anonymous citizen's clave, and
the citizen's rating of the answer."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TrackingKey(models.Model):
    """The second factor of a case whose citizen left no email, DUI or phone: a random clave
    shown once on the receipt. Only its SHA-256 is stored (see enlace/portal/keys.py)."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="portal_key", verbose_name=_("case")
    )
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tracking key")
        verbose_name_plural = _("tracking keys")

    def __str__(self) -> str:
        return str(self.case_id)


class Satisfaction(models.TextChoices):
    """The five levels of the Friends-and-Family question, best first, and "don't know"."""

    VERY_GOOD = "very_good", _("Very good")
    GOOD = "good", _("Good")
    NEUTRAL = "neutral", _("Neither good nor bad")
    BAD = "bad", _("Bad")
    VERY_BAD = "very_bad", _("Very bad")
    DONT_KNOW = "dont_know", _("Don't know")


class SatisfactionRating(models.Model):
    """One rating per case. The citizen may change it; each change is an event on the case."""

    case = models.OneToOneField(
        "cases.Case",
        on_delete=models.CASCADE,
        related_name="satisfaction",
        verbose_name=_("case"),
    )
    rating = models.CharField(_("rating"), max_length=10, choices=Satisfaction.choices)
    comment = models.TextField(_("comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")
        indexes = [models.Index(fields=["rated_at"], name="satisfaction_rated_idx")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.rating}"
