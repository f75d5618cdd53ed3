from django.contrib import admin

from enlace.directory.models import Dependency, InstitutionalClosure


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
