from django.contrib import admin

from common.admin import RecordAdmin
from decisions.models import HistoryImport


@admin.register(HistoryImport)
class HistoryImportAdmin(RecordAdmin):
    """CSV imports of history from other tools: who imported what, and how it went."""

    list_display = ["filename", "kind", "status", "created", "unchanged", "rejected", "by"]
    list_filter = ["kind", "status"]
    search_fields = ["filename"]
    date_hierarchy = "created_at"
