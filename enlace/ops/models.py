from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """When a periodic process last finished its round (the sweeper: `manage.py status` and the
    metrics show how long ago). One row per process kind, overwritten."""

    SWEEP: ClassVar[str] = "sweep"

    name = models.CharField(_("name"), max_length=40, primary_key=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def beat(cls, name: str, at: datetime) -> None:
        cls.objects.update_or_create(name=name, defaults={"at": at})

    @classmethod
    def last(cls, name: str) -> datetime | None:
        return cls.objects.filter(name=name).values_list("at", flat=True).first()
