"""Shared model parts."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyModel(models.Model):
    """History rows: added, never changed. `save()` refuses to update an existing row, and
    the console and admin offer no way to edit or delete one."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)


class ReferenceVersion(models.Model):
    """One row: the version of the reference data (enlace/core/reference.py). A random token,
    not a counter, so a change that is rolled back can never be mistaken for a later one."""

    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("reference data version")

    def __str__(self) -> str:
        return self.token
