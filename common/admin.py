"""Admin base classes for records the app writes itself."""

from django.contrib import admin


class RecordAdmin(admin.ModelAdmin):
    """A record the app writes (a snapshot, a run, a published revision): shown in the admin,
    never added or edited there."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class KeptRecordAdmin(RecordAdmin):
    """A record that is history: not deleted by hand either."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
