from django.contrib import admin

from enlace.catalogues.models import CatalogueEntry, Channel, InquiryTopic, Limitante, OpinionType


class CatalogueAdmin(admin.ModelAdmin[CatalogueEntry]):
    list_display = ["code", "name", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]


@admin.register(Channel)
class ChannelAdmin(CatalogueAdmin):
    list_display = ["code", "name", "report_group", "sort_order", "is_active"]
    list_filter = ["report_group", "is_active"]


admin.site.register(OpinionType, CatalogueAdmin)
admin.site.register(Limitante, CatalogueAdmin)
admin.site.register(InquiryTopic, CatalogueAdmin)
