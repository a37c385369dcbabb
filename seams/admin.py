from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from common.admin import KeptRecordAdmin
from seams.models import (
    Calendar,
    CalendarHoliday,
    HandoffSpec,
    Membership,
    Seam,
    SpecVersion,
    Team,
    User,
)


class TeamMembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


class UserMembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["team"]
    verbose_name = "team"
    verbose_name_plural = "teams"


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "leader", "member_count"]
    search_fields = ["name", "slug", "description"]
    autocomplete_fields = ["leader"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [TeamMembershipInline]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("leader").prefetch_related("memberships")
        )

    @admin.display(description="members")
    def member_count(self, team: Team) -> int:
        return len(team.memberships.all())

    def get_readonly_fields(self, request, obj=None):
        # The slug is a team's address in URLs and the API; it is set once.
        return [*self.readonly_fields, "slug"] if obj else self.readonly_fields

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj else {"slug": ["name"]}


@admin.register(User)
class SeamlineUserAdmin(UserAdmin):
    fieldsets = [
        *UserAdmin.fieldsets[:1],
        ("Personal info", {"fields": ("first_name", "last_name", "email", "job_title")}),
        *UserAdmin.fieldsets[2:],
    ]
    list_display = ["username", "first_name", "last_name", "job_title", "email", "is_active"]
    list_filter = ["groups", "is_active", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "email", "job_title"]
    inlines = [UserMembershipInline]


class HolidayInline(admin.TabularInline):
    model = CalendarHoliday
    extra = 1


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone", "summary", "is_24x7"]
    search_fields = ["name", "slug"]
    inlines = [HolidayInline]

    def get_readonly_fields(self, request, obj=None):
        return ["slug", "is_24x7"] if obj else []

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj else {"slug": ["name"]}


@admin.register(Seam)
class SeamAdmin(admin.ModelAdmin):
    list_display = ["name", "from_team", "to_team", "status", "calendar", "pilot_review_on"]
    list_filter = ["status", "calendar", "from_team", "to_team"]
    search_fields = ["name", "slug", "description"]
    list_select_related = ["from_team", "to_team", "calendar"]
    autocomplete_fields = ["from_team", "to_team"]

    def get_readonly_fields(self, request, obj=None):
        return ["slug"] if obj else []

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj else {"slug": ["name"]}


class SpecVersionInline(admin.TabularInline):
    """Versions are history: read them here, change the spec in the app."""

    model = SpecVersion
    fields = ["number", "note", "author", "created_at", "owner", "response_sla_hours"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(HandoffSpec)
class HandoffSpecAdmin(KeptRecordAdmin):
    """Read-only: every change to a spec must make a version, which only the app does."""

    list_display = ["seam", "version", "owner", "response_sla_hours", "updated_at", "updated_by"]
    list_select_related = ["seam", "owner", "updated_by"]
    search_fields = ["seam__name"]
    inlines = [SpecVersionInline]
