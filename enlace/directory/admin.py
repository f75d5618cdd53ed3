from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from enlace.directory.models import Dependency, InstitutionalClosure, Municipality
from enlace.directory.queries import fold_name


@admin.register(Dependency)
class DependencyAdmin(admin.ModelAdmin[Dependency]):
    list_display = [
        "code",
        "name",
        "kind",
        "level_of_care",
        "parent",
        "has_punto_seguro",
        "is_active",
    ]
    list_filter = ["kind", "level_of_care", "department", "has_punto_seguro", "is_active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]


@admin.register(InstitutionalClosure)
class InstitutionalClosureAdmin(admin.ModelAdmin[InstitutionalClosure]):
    list_display = ["date", "name"]
    date_hierarchy = "date"
    search_fields = ["name"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin[Municipality]):
    """Read-only: the rows come from data/municipalities.toml (`manage.py load_directory`)."""

    list_display = ["code", "name", "department"]
    list_filter = ["department"]
    search_fields = ["code", "name"]
    ordering = ["code"]
    list_per_page = 300  # the 262 on one page

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Municipality], search_term: str
    ) -> tuple[QuerySet[Municipality], bool]:
        """Also finds names written without their accents ("Huizucar" finds Huizúcar)."""
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if folded := fold_name(search_term):
            ids = [
                pk for pk, name in queryset.values_list("pk", "name") if folded in fold_name(name)
            ]
            found = found | queryset.filter(pk__in=ids)
        return found, may_have_duplicates

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
