from django.contrib import admin

from enlace.callcentre.models import Call, Extension


@admin.register(Extension)
class ExtensionAdmin(admin.ModelAdmin[Extension]):
    list_display = ("number", "user")
    search_fields = ("number", "user__username")
    raw_id_fields = ("user",)


@admin.register(Call)
class CallAdmin(admin.ModelAdmin[Call]):
    list_display = ("pbx_call_id", "caller", "agent", "started_at", "ended_at", "wrap_up")
    list_filter = ("wrap_up",)
    search_fields = ("pbx_call_id", "caller")
    raw_id_fields = ("agent", "case")
    date_hierarchy = "started_at"
