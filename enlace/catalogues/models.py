"""Catalogues that classify cases, kept in the database so administrators can edit them."""

from __future__ import annotations

from typing import TypeVar

from django.db import models
from django.utils.translation import gettext_lazy as _

_T = TypeVar("_T", bound="CatalogueEntry")


class CatalogueQuerySet(models.QuerySet[_T]):
    def active(self) -> CatalogueQuerySet[_T]:
        return self.filter(is_active=True)


class CatalogueEntry(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=150)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class ChannelGroup(models.TextChoices):
    """How the participation report groups the channels (seeds 002 and 003)."""

    CENTRO_LLAMADAS = "centro_llamadas", _("Call centre")
    REDES_SOCIALES = "redes_sociales", _("Social networks")
    SITIO_WEB = "sitio_web", _("Website")
    BUZON = "buzon", _("Suggestion box")
    DEPTO_ATENCION = "depto_atencion", _("User attention department")
    PUNTO_SEGURO = "punto_seguro", _("Punto Seguro")
    OIR = "oir", _("OIR")
    OTROS = "otros", _("Others")


class Channel(CatalogueEntry):
    report_group = models.CharField(_("report group"), max_length=20, choices=ChannelGroup.choices)

    objects = CatalogueQuerySet["Channel"].as_manager()

    class Meta(CatalogueEntry.Meta):
        verbose_name = _("channel")
        verbose_name_plural = _("channels")


class OpinionType(CatalogueEntry):
    objects = CatalogueQuerySet["OpinionType"].as_manager()

    class Meta(CatalogueEntry.Meta):
        verbose_name = _("opinion type")
        verbose_name_plural = _("opinion types")


class Limitante(CatalogueEntry):
    """The root cause of a complaint or claim (waiting time, treatment by staff, ...)."""

    objects = CatalogueQuerySet["Limitante"].as_manager()

    class Meta(CatalogueEntry.Meta):
        verbose_name = _("limitante")
        verbose_name_plural = _("limitantes")


class InquiryTopic(CatalogueEntry):
    objects = CatalogueQuerySet["InquiryTopic"].as_manager()

    class Meta(CatalogueEntry.Meta):
        verbose_name = _("inquiry topic")
        verbose_name_plural = _("inquiry topics")
