from django.contrib import admin

from enlace.suggestionbox.models import BoxForm, BoxOpening


@admin.register(BoxOpening)
class BoxOpeningAdmin(admin.ModelAdmin[BoxOpening]):
    list_display = ("dependency", "opened_on", "forms_found", "opened_by")
    date_hierarchy = "opened_on"
    raw_id_fields = ("opened_by",)


@admin.register(BoxForm)
class BoxFormAdmin(admin.ModelAdmin[BoxForm]):
    list_display = ("opening", "number", "case")
    raw_id_fields = ("opening", "case")
