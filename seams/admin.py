from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from seams.models import Membership, Team, User


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
