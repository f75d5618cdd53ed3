from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from enlace.accounts.models import User


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
