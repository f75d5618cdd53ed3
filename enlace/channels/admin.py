"""What arrived and what went out, for a person to look at: read-only, since these rows are the
record of the channel itself (a failed message is retried by the sweeper, not edited here)."""

from django.contrib import admin
from django.http import HttpRequest

from enlace.channels.models import Attachment, InboundMessage, OutboundMessage


class ReadOnly:
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnly, admin.ModelAdmin[InboundMessage]):
    list_display = ["received_at", "plugin", "sender", "status", "outcome", "case", "attempts"]
    list_filter = ["plugin", "status", "outcome"]
    search_fields = ["external_id", "sender"]
    raw_id_fields = ["case"]


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ReadOnly, admin.ModelAdmin[OutboundMessage]):
    list_display = ["created_at", "plugin", "recipient", "status", "case", "attempts"]
    list_filter = ["plugin", "status"]
    search_fields = ["recipient", "platform_id"]
    raw_id_fields = ["case"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnly, admin.ModelAdmin[Attachment]):
    list_display = ["uploaded_at", "name", "content_type", "size", "case"]
    list_filter = ["content_type"]
    search_fields = ["name", "sha256"]
    raw_id_fields = ["case", "message"]
