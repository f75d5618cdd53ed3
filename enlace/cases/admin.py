from django.contrib import admin

from enlace.cases.models import AnswerTemplate, DeadlinePolicy, RoutingRule


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin[DeadlinePolicy]):
    list_display = ["kind", "opinion_type", "step", "days", "unit", "remind_before", "is_active"]
    list_filter = ["kind", "step", "unit", "is_active"]
    list_editable = ["days", "unit", "remind_before", "is_active"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin[RoutingRule]):
    list_display = [
        "order",
        "dependency",
        "opinion_type",
        "limitante",
        "channel",
        "route_to",
        "is_active",
    ]
    list_editable = ["order", "is_active"]
    list_display_links = ["route_to"]
    autocomplete_fields = ["dependency", "route_to"]


@admin.register(AnswerTemplate)
class AnswerTemplateAdmin(admin.ModelAdmin[AnswerTemplate]):
    list_display = ["name", "opinion_type", "is_active"]
    list_filter = ["opinion_type", "is_active"]
    search_fields = ["name", "body"]
