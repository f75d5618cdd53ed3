from django.contrib import admin

from enlace.improvements.models import ImprovementOpportunity


@admin.register(ImprovementOpportunity)
class ImprovementOpportunityAdmin(admin.ModelAdmin[ImprovementOpportunity]):
    list_display = ["title", "dependency", "owner", "due_on", "status"]
    list_filter = ["status", "source"]
    search_fields = ["title", "description"]
    autocomplete_fields = ["dependency"]
    raw_id_fields = ["cases"]
