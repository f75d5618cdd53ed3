from django.contrib import admin

from enlace.directory.models import Dependency


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
    list_filter = ["kind", "level_of_care", "has_punto_seguro", "is_active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
