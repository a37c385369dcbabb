"""The outbound channels and their delivery log in the admin: channels are managed on their
pages (the secret is shown once there), so here they are read; deliveries are records."""

from django.contrib import admin

from common.admin import KeptRecordAdmin, RecordAdmin
from connections.models import Channel, DeliveryAttempt, Notification, OutboundDelivery


@admin.register(Channel)
class ChannelAdmin(RecordAdmin):
    list_display = ["name", "kind", "active", "seam", "team", "contract", "created_at"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "url", "email"]
    exclude = ["secret"]


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ["at", "status_code", "error", "duration_ms", "next_attempt_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(OutboundDelivery)
class DeliveryAdmin(KeptRecordAdmin):
    list_display = ["notification", "channel", "person", "status", "attempts", "next_attempt_at"]
    list_filter = ["status", "channel"]
    list_select_related = ["notification", "channel", "person"]
    inlines = [AttemptInline]


@admin.register(Notification)
class NotificationAdmin(KeptRecordAdmin):
    list_display = ["title", "kind", "seam", "contract", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["seam", "contract"]
    search_fields = ["title", "key"]
    date_hierarchy = "created_at"
