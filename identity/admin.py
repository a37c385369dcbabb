"""The directory's accounts and groups, to look at: the SCIM directory writes them (through
/scim/v2/), so the admin neither adds, changes nor deletes them."""

from django.contrib import admin
from django.http import HttpRequest

from identity.models import DirectoryAccount, DirectoryGroup


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(DirectoryAccount)
class DirectoryAccountAdmin(ReadOnlyAdmin):
    list_display = ["user", "scim_provisioned", "scim_external_id", "deactivated_at"]
    list_filter = ["scim_provisioned"]
    search_fields = ["user__username", "user__email", "scim_external_id", "oidc_subject"]
    list_select_related = ["user"]
    readonly_fields = ["scim_id"]


@admin.register(DirectoryGroup)
class DirectoryGroupAdmin(ReadOnlyAdmin):
    list_display = ["display_name", "external_id", "updated_at"]
    search_fields = ["display_name", "external_id"]
    readonly_fields = ["scim_id"]
