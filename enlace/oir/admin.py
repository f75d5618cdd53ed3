"""The OIR in the admin: read-mostly. Requests and their history change only through the
actions (the officer's pages); the admin shows them and edits the reserved index."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from enlace.oir.models import InformationRequest, RequestEvent, ReservedEntry


class EventInline(admin.TabularInline[RequestEvent, InformationRequest]):
    model = RequestEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "actor", "from_status", "to_status", "note"]
    readonly_fields = ["at", "kind", "actor", "from_status", "to_status", "note"]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(InformationRequest)
class InformationRequestAdmin(admin.ModelAdmin[InformationRequest]):
    list_display = ["number", "received_at", "status", "due_on", "channel"]
    list_filter = ["status", "channel"]
    search_fields = ["number", "requester_name"]
    inlines = [EventInline]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ReservedEntry)
class ReservedEntryAdmin(admin.ModelAdmin[ReservedEntry]):
    list_display = ["reference", "dependency", "legal_article", "classified_on", "period_years"]
    search_fields = ["reference", "information"]
    autocomplete_fields = ["dependency"]
