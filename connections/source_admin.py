"""Admin for inbound sources: their rules and secrets inline (secrets masked), deliveries
read-only."""

from django.contrib import admin

from common.admin import RecordAdmin
from connections.models import Delivery, MappingRule, Source, SourceSecret


class MappingRuleInline(admin.TabularInline):
    model = MappingRule
    extra = 0
    fields = ["position", "field", "value", "seam"]
    raw_id_fields = ["seam"]


class SourceSecretInline(admin.TabularInline):
    """Secrets are made and rotated on the source's page; here their dates only."""

    model = SourceSecret
    extra = 0
    fields = ["created_at", "expires_at"]
    readonly_fields = ["created_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "active", "created_at"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "slug"]
    fields = ["name", "slug", "kind", "active", "started_statuses", "done_statuses"]
    inlines = [MappingRuleInline, SourceSecretInline]


@admin.register(Delivery)
class DeliveryAdmin(RecordAdmin):
    list_display = ["received_at", "source", "event", "status", "reason", "seam", "external_id"]
    list_filter = ["status", "reason", "source"]
    search_fields = ["external_id", "delivery_id", "error"]
    list_select_related = ["source", "seam"]
    exclude = ["body"]
