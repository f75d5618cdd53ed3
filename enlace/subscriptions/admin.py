from django.contrib import admin

from enlace.subscriptions.models import ReportDelivery, ReportSubscription, SubscriptionEvent


class EventInline(admin.TabularInline[SubscriptionEvent, ReportSubscription]):
    model = SubscriptionEvent
    extra = 0
    can_delete = False
    fields = ["kind", "actor", "at", "note"]
    readonly_fields = ["kind", "actor", "at", "note"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(admin.ModelAdmin[ReportSubscription]):
    """Subscriptions are made and ended on their pages (with their history); here an
    administrator reads them, and may move the moment the sweeper next takes one."""

    list_display = ["user", "report", "frequency", "centre", "active", "period_end", "failures"]
    list_filter = ["active", "frequency", "report"]
    search_fields = ["user__username", "user__email", "report"]
    # Only when the sweeper looks at it next may be moved (to retry a failing one now).
    fields = [
        "user",
        "report",
        "frequency",
        "centre",
        "active",
        "created_at",
        "ended_at",
        "period_end",
        "due_at",
        "failures",
        "last_error",
    ]
    readonly_fields = [
        "user",
        "report",
        "frequency",
        "centre",
        "active",
        "created_at",
        "ended_at",
        "period_end",
        "failures",
        "last_error",
    ]
    inlines = [EventInline]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(ReportDelivery)
class ReportDeliveryAdmin(admin.ModelAdmin[ReportDelivery]):
    list_display = ["subscription", "period_start", "period_end", "produced_at", "notification"]
    list_filter = ["period_end"]
    raw_id_fields = ["subscription", "notification"]
    readonly_fields = [
        "subscription",
        "period_start",
        "period_end",
        "produced_at",
        "pdf",
        "filename",
        "notification",
    ]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
