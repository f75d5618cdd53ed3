"""The administration's part of data protection: the retention periods (one row per kind of
record an app registered; an administrator changes the months or pauses one). The rest is the
officer's, in their pages under /proteccion-datos/."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from enlace.privacy.models import RetentionPolicy
from enlace.privacy.registry import RETENTION


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(admin.ModelAdmin[RetentionPolicy]):
    list_display = ("kind", "kind_label", "months", "is_active")
    list_editable = ("months", "is_active")
    readonly_fields = ("kind",)

    @admin.display(description=RetentionPolicy._meta.get_field("kind").verbose_name)
    def kind_label(self, policy: RetentionPolicy) -> str:
        kind = RETENTION.get(policy.kind)
        return str(kind.label) if kind else policy.kind

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # one per registered kind, made after every migrate

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
