from django.contrib import admin

from audit.models import RefusedWrite
from common.admin import KeptRecordAdmin


@admin.register(RefusedWrite)
class RefusedWriteAdmin(KeptRecordAdmin):
    """Read-only: refusals are evidence, recorded by the middleware and never edited."""

    date_hierarchy = "at"
    list_display = ["at", "who", "method", "path", "status", "reason"]
    list_filter = ["status", "method"]
    list_select_related = ["user"]
    search_fields = ["username", "path", "view_name", "reason", "remote_addr"]
