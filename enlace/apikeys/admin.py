"""Administrators create API keys in the Django admin, see the raw key exactly once (on the page
that follows the creation, never stored, never in a message cookie), and revoke keys. A key's
scope cannot be edited: revoke it and create another, so the audit names one scope per key."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enlace.accounts.models import CENTRE_SCOPED_ROLES, Role, User
from enlace.apikeys.actions import do_create_api_key, do_revoke_api_key
from enlace.apikeys.models import ApiAudit, ApiKey


class ApiKeyCreationForm(forms.ModelForm[ApiKey]):
    role = forms.ChoiceField(
        label=gettext_lazy("Role"),
        choices=Role.choices,
        help_text=gettext_lazy("What the key may do, as a person of this role may."),
    )

    class Meta:
        model = ApiKey
        fields = ["name", "role", "can_write", "sees_personal_data", "dependencies"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        centres = data.get("dependencies")
        if data.get("role") in CENTRE_SCOPED_ROLES and (not centres or len(centres) != 1):
            self.add_error("dependencies", _("A key of this role covers exactly one centre."))
        return data


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin[ApiKey]):
    list_display = [
        "name",
        "prefix",
        "role",
        "can_write",
        "sees_personal_data",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["can_write", "sees_personal_data", "revoked_at"]
    search_fields = ["name", "prefix"]
    actions = ["revoke"]
    autocomplete_fields = ["dependencies"]
    readonly_fields = [
        "name",
        "prefix",
        "role",
        "can_write",
        "sees_personal_data",
        "dependencies",
        "user",
        "created_by",
        "created_at",
        "revoked_at",
        "revoked_by",
        "last_used_at",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiKey]:
        return super().get_queryset(request).select_related("user")

    @admin.display(description=gettext_lazy("role"))
    def role(self, key: ApiKey) -> str:
        return str(Role(key.user.role).label)

    def get_form(
        self, request: HttpRequest, obj: ApiKey | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = ApiKeyCreationForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> list[str]:
        return list(self.readonly_fields) if obj is not None else []

    def get_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> Any:
        if obj is None:
            return ["name", "role", "can_write", "sees_personal_data", "dependencies"]
        return list(self.readonly_fields)

    def has_delete_permission(self, request: HttpRequest, obj: ApiKey | None = None) -> bool:
        return False  # the audit points at keys: revoke instead

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if change:
            return  # nothing of a key is editable
        creator = request.user
        assert isinstance(creator, User)
        data = form.cleaned_data
        key, raw = do_create_api_key(
            name=data["name"],
            role=data["role"],
            can_write=data["can_write"],
            sees_personal_data=data["sees_personal_data"],
            dependencies=data["dependencies"],
            created_by=creator,
        )
        obj.pk = key.pk
        obj.prefix = key.prefix
        request._api_key_raw = raw  # type: ignore[attr-defined]  # for response_add only

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass  # the action set the centres

    def response_add(
        self, request: HttpRequest, obj: ApiKey, post_url_continue: str | None = None
    ) -> HttpResponse:
        raw: str = getattr(request, "_api_key_raw", "")
        response = TemplateResponse(
            request,
            "admin/apikeys/apikey/created.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "key": obj,
                "raw_key": raw,
                "title": _("API key created"),
            },
        )
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=gettext_lazy("Revoke the selected keys"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        acting = request.user
        assert isinstance(acting, User)
        count = 0
        for key in queryset.filter(revoked_at__isnull=True):
            do_revoke_api_key(key, acting_user=acting)
            count += 1
        self.message_user(request, _("%(count)d keys revoked.") % {"count": count})


@admin.register(ApiAudit)
class ApiAuditAdmin(admin.ModelAdmin[ApiAudit]):
    list_display = ["at", "user", "api_key", "method", "path", "status_code", "object_id"]
    list_filter = ["method", "status_code"]
    search_fields = ["path", "object_id", "api_key__prefix", "user__username"]
    date_hierarchy = "at"
    list_select_related = ["user", "api_key"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ApiAudit | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ApiAudit | None = None) -> bool:
        return False
