from django.contrib import admin

from enlace.cases.models import DeadlinePolicy


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin[DeadlinePolicy]):
    list_display = ["kind", "opinion_type", "step", "days", "unit", "remind_before", "is_active"]
    list_filter = ["kind", "step", "unit", "is_active"]
    list_editable = ["days", "unit", "remind_before", "is_active"]
