from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from enlace.accounts import actions
from enlace.accounts.current import current_user
from enlace.accounts.models import AccountEvent, User


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
