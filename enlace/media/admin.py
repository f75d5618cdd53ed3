from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from enlace.media.actions import do_reindex_outlet
from enlace.media.models import MediaTopic, NewsItem, Outlet


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin[Outlet]):
    list_display = ["name", "code", "medium", "is_active"]
    list_filter = ["medium", "is_active"]
    search_fields = ["name", "code"]

    def save_model(self, request: HttpRequest, obj: Outlet, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "name" in form.changed_data:
            do_reindex_outlet(obj)  # its name is among the words its items are found by


@admin.register(MediaTopic)
class MediaTopicAdmin(admin.ModelAdmin[MediaTopic]):
    list_display = ["name", "code", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    search_fields = ["name", "code"]


@admin.register(NewsItem)
class NewsItemAdmin(admin.ModelAdmin[NewsItem]):
    """For looking up and correcting an item's classification; items are registered at
    /medios/nueva/ (the words they are found by are written there), so the text is read-only
    here."""

    list_display = ["published_on", "headline", "outlet", "tone", "topic"]
    list_filter = ["tone", "medium", "topic", "outlet"]
    search_fields = ["headline"]
    date_hierarchy = "published_on"
    readonly_fields = [
        "outlet",
        "headline",
        "summary",
        "clip",
        "clip_name",
        "clip_type",
        "clip_size",
        "clip_sha256",
        "case",
        "registered_by",
        "registered_at",
    ]
    autocomplete_fields = ["dependency"]
    exclude = ["search_text", "search_stems"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
