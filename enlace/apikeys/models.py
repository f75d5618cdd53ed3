"""API keys: how other systems of the institute (the phone system, the website, BI tools) and
civic tools authenticate to /api/v1/.

A key is a random token shown once to the administrator who created it; only its SHA-256 is
stored. Each key acts through its own service account (a real User row with no usable
password), so the actions record that account as the actor and a case's history names the key.
A key is scoped to read or read-and-write, and optionally to some centres (none: all of them);
the service account's role decides the rest, exactly as for a person.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiKey(models.Model):
    name = models.CharField(_("name"), max_length=100, help_text=_("Who or what uses the key."))
    prefix = models.CharField(
        _("prefix"),
        max_length=16,
        unique=True,
        help_text=_("The start of the key, shown in lists to tell keys apart."),
    )
    secret_hash = models.CharField(_("hash of the key"), max_length=64, unique=True)
    can_write = models.BooleanField(
        _("may write"), default=False, help_text=_("Without it the key may only read.")
    )
    sees_personal_data = models.BooleanField(
        _("sees personal data"),
        default=False,
        help_text=_(
            "Names, DUIs, phones, e-mails and what the citizen wrote, in clear, if its role "
            "sees them too; without it they are masked. Every read is in the access log."
        ),
    )
    dependencies = models.ManyToManyField(
        "directory.Dependency",
        verbose_name=_("centres"),
        blank=True,
        related_name="+",
        help_text=_("The centres whose cases the key may see and write; none: all of them."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("service account"),
        on_delete=models.PROTECT,
        related_name="api_key",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def dependency_ids(self) -> list[int] | None:
        """The centres the key is limited to, or None when it may reach every centre. Read once
        per instance (one query), so a request asks the database at most once."""
        cached: list[int] | bool | None = getattr(self, "_dependency_ids", False)
        if cached is not False:
            assert cached is None or isinstance(cached, list)
            return cached
        if getattr(self, "limited", True) is False:  # annotated by authenticate_key
            self._dependency_ids = None
            return None
        ids = sorted(self.dependencies.values_list("id", flat=True))
        result = ids or None
        self._dependency_ids = result
        return result


class ApiAudit(models.Model):
    """One row per write made through the API: who (the user of a browser session, or the key
    and its service account), what (method, path, the object written) and how it ended."""

    at = models.DateTimeField(_("at"), db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    api_key = models.ForeignKey(
        ApiKey,
        verbose_name=_("API key"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit",
    )
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=300)
    status_code = models.PositiveSmallIntegerField(_("status code"))
    object_id = models.CharField(_("object"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("API write")
        verbose_name_plural = _("API writes")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status_code}"


class IdempotentRequest(models.Model):
    """A create made with an `Idempotency-Key` header, and the answer it got. Written in the
    create's own transaction, so a retry of the same request finds it and gets the same answer
    (the same case) instead of a second create. Old rows are deleted by `manage.py
    expire_idempotency_keys` (run by the sweep loop's schedule, see docs/operations.md)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    operation = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.status_code}"
