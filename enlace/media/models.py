"""The archive of what the media publish about the institute: the outlets, the topics the
communications unit files news under, and each news item (the press clipping, the broadcast's
recording, the post) with its tone and who or what it mentions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enlace.catalogues.models import CatalogueEntry, CatalogueQuerySet


class Medium(models.TextChoices):
    PRESS = "press", _("Press")
    TV = "tv", _("Television")
    RADIO = "radio", _("Radio")
    DIGITAL = "digital", _("Digital media")
    SOCIAL = "social", _("Social network")


class Tone(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    NEGATIVE = "negative", _("Negative")


class Outlet(models.Model):
    """A newspaper, a channel, a station, a news site or an account: its code is what the
    list's filter and the demo data name it by."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=150, unique=True)
    medium = models.CharField(_("medium"), max_length=10, choices=Medium.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("media outlet")
        verbose_name_plural = _("media outlets")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MediaTopic(CatalogueEntry):
    """What a news item is about (medicines, waiting times, infrastructure, ...): a small
    catalogue the communications unit edits in the administration."""

    objects = CatalogueQuerySet["MediaTopic"].as_manager()

    class Meta(CatalogueEntry.Meta):
        verbose_name = _("media topic")
        verbose_name_plural = _("media topics")


def clip_path(instance: NewsItem, filename: str) -> str:
    """Stored under its hash and its sniffed extension, never under the name it came with."""
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"media/{instance.clip_sha256[:2]}/{instance.clip_sha256}.{extension}"


class NewsItem(models.Model):
    """One publication: a press article, a TV or radio piece, a news site's story, a post.

    Written once by `actions.do_register_news_item`; the one later write is the link to the
    case registered from it (`actions.do_make_case_from_item`). `search_text` (headline,
    summary and outlet folded) feeds the PostgreSQL column `search_vector` (migration 0002);
    `search_stems` (the same words' Spanish stems, between spaces) is what SQLite searches."""

    # The outlet's, topic's and centre's own indexes are the composite ones below (they lead
    # with the column), so the foreign keys make none of their own.
    outlet = models.ForeignKey(
        Outlet,
        verbose_name=_("outlet"),
        on_delete=models.PROTECT,
        related_name="news_items",
        db_index=False,
    )
    medium = models.CharField(_("medium"), max_length=10, choices=Medium.choices)
    published_on = models.DateField(_("published on"))
    headline = models.CharField(_("headline"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    topic = models.ForeignKey(
        MediaTopic,
        verbose_name=_("topic"),
        on_delete=models.PROTECT,
        related_name="news_items",
        db_index=False,
    )
    dependency = models.ForeignKey(
        "directory.Dependency",
        verbose_name=_("centre mentioned"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    authority = models.CharField(_("authority mentioned"), max_length=200, blank=True)
    tone = models.CharField(_("tone"), max_length=10, choices=Tone.choices)
    spokesperson = models.CharField(_("spokesperson"), max_length=200, blank=True)
    # The clipping or recording: its type sniffed from its content (rules.ALLOWED).
    clip = models.FileField(_("clipping or recording"), upload_to=clip_path, blank=True)
    clip_name = models.CharField(_("file name"), max_length=255, blank=True)
    clip_type = models.CharField(max_length=100, blank=True)
    clip_size = models.PositiveBigIntegerField(null=True, blank=True)
    clip_sha256 = models.CharField(max_length=64, blank=True)
    # The opinion case registered from this item (a service failure the media reported).
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="news_items",
        db_index=False,  # the partial unique constraint below is its index
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    registered_at = models.DateTimeField(_("registered at"))
    search_text = models.TextField(blank=True, editable=False)
    search_stems = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news items")
        ordering = ["-published_on", "-id"]
        # The list reads newest first; each filter that can lead the query has an index ending
        # in the list's order, so a page is one index range read whatever the filter.
        indexes = [
            models.Index(fields=["-published_on", "-id"], name="news_published_idx"),
            models.Index(fields=["outlet", "-published_on", "-id"], name="news_outlet_idx"),
            models.Index(fields=["medium", "-published_on", "-id"], name="news_medium_idx"),
            models.Index(fields=["tone", "-published_on", "-id"], name="news_tone_idx"),
            models.Index(fields=["topic", "-published_on", "-id"], name="news_topic_idx"),
            models.Index(
                fields=["dependency", "-published_on", "-id"],
                name="news_dependency_idx",
                condition=Q(dependency__isnull=False),
            ),
        ]
        constraints = [
            # One item for one case, and the look-up from a case's page.
            models.UniqueConstraint(
                fields=["case"], condition=Q(case__isnull=False), name="news_case_uniq"
            ),
        ]

    def __str__(self) -> str:
        return self.headline
