from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group, Permission
from django.db.models import ManyToManyField, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from enlace.accounts import actions
from enlace.accounts.current import current_user
from enlace.accounts.models import AccountEvent, User

# Django names a model's default permissions in English when it creates them ("Can add case")
# and stores that name; the administration shows them in the reader's language instead.
DEFAULT_PERMISSIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def permission_label(permission: Permission) -> str:
    """The app, the model and what it allows, translated ("Casos | caso | Puede añadir caso"):
    a permission of Django's four by its code name, any other by its stored name."""
    content_type = permission.content_type
    model = content_type.model_class()
    action, _sep, model_name = permission.codename.partition("_")
    if model is not None and action in DEFAULT_PERMISSIONS and model_name == model._meta.model_name:
        name = str(DEFAULT_PERMISSIONS[action]) % {"model": model._meta.verbose_name}
    else:
        name = gettext(permission.name)
    return f"{content_type} | {name}"


def translated_permissions(field: forms.Field | None, db_field: ManyToManyField[Any, Any]) -> None:
    if isinstance(field, forms.ModelMultipleChoiceField) and db_field.related_model is Permission:
        field.label_from_instance = permission_label  # type: ignore[method-assign, assignment]


class PasswordChangeForm(AdminPasswordChangeForm):  # type: ignore[type-arg]
    """Django's, whose warning under "password-based authentication" is not translatable."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "usable_password" in self.fields:
            self.fields["usable_password"].help_text = format_html(
                '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}'
                "</li></ul>",
                gettext(
                    "Whether the user will be able to authenticate using a password or not. "
                    "If disabled, they may still be able to authenticate using other backends, "
                    "such as Single Sign-On or LDAP."
                ),
                gettext("If disabled, the current password for this user will be lost."),
            )


class AccountEventInline(admin.TabularInline[AccountEvent, User]):
    model = AccountEvent
    fk_name = "user"
    fields = ("at", "kind", "actor", "address", "note")
    readonly_fields = ("at", "kind", "actor", "address", "note")
    extra = 0
    can_delete = False
    ordering = ["-at", "-id"]
    verbose_name_plural = _("Security history")

    def has_add_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    list_display = ["username", "first_name", "last_name", "role", "dependency", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    autocomplete_fields = ["dependency"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Role in Enlace"), {"fields": ("role", "dependency", "includes_children")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Role in Enlace"), {"fields": ("role", "dependency", "includes_children")}),
    )
    inlines = [AccountEventInline]
    actions = ["unlock", "end_sessions", "reset_second_factor"]
    change_password_form = PasswordChangeForm

    def formfield_for_manytomany(
        self, db_field: ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelMultipleChoiceField[Any] | None:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        translated_permissions(field, db_field)
        return field

    @admin.action(description=_("Unlock after failed logins"))
    def unlock(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            actions.do_unlock(user, acting_user=current_user(request))
        self.message_user(request, gettext("Unlocked."), messages.SUCCESS)

    @admin.action(description=_("End every session"))
    def end_sessions(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            actions.do_end_sessions(user, acting_user=current_user(request), request=request)
        self.message_user(request, gettext("Their sessions have ended."), messages.SUCCESS)

    @admin.action(description=_("Reset the second factor (a lost phone)"))
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            actions.do_reset_second_factor(user, acting_user=current_user(request))
        self.message_user(
            request,
            gettext("Second factor reset: the next login enrols a new phone."),
            messages.SUCCESS,
        )


class GroupAdmin(BaseGroupAdmin):
    """Django's, with its permissions named in the reader's language."""

    def formfield_for_manytomany(
        self, db_field: ManyToManyField[Any, Any], request: HttpRequest | None = None, **kwargs: Any
    ) -> forms.ModelMultipleChoiceField[Any] | None:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        translated_permissions(field, db_field)
        return field


if admin.site.is_registered(Group):
    admin.site.unregister(Group)
admin.site.register(Group, GroupAdmin)

# django-otp's own pages of devices (English only, and a TOTP device's secret key in a form) are
# not Enlace's way: a person enrols their phone at /cuenta/segundo-factor/alta/, and an
# administrator resets it with the accounts' action above ("Reset the second factor").
for device in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device):
        admin.site.unregister(device)
