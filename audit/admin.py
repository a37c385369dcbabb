from django.contrib import admin

from audit.models import RefusedWrite


@admin.register(RefusedWrite)
class RefusedWriteAdmin(admin.ModelAdmin):
    """Read-only: refusals are evidence, recorded by the middleware and never edited."""

    date_hierarchy = "at"
    list_display = ["at", "who", "method", "path", "status", "reason"]
    list_filter = ["status", "method"]
    list_select_related = ["user"]
    search_fields = ["username", "path", "view_name", "reason", "remote_addr"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
