from django.contrib import admin

from onboarding.models import GuidedStart, Miss


class MissInline(admin.TabularInline):
    model = Miss
    fields = ["position", "summary", "happened_on", "cause", "seam", "escalation"]
    readonly_fields = ["escalation"]
    raw_id_fields = ["seam"]
    extra = 0


@admin.register(GuidedStart)
class GuidedStartAdmin(admin.ModelAdmin):
    """Where the leaders are in the guided start. Moving `step` back lets them redo a step;
    what the steps made lives on, as ordinary data, on its own pages."""

    list_display = ["__str__", "started_by", "started_at", "updated_by", "updated_at", "contract"]
    fields = [
        "step",
        "top_seam",
        "seams",
        "template",
        "data_source",
        "webhook",
        "contract",
        "first_review_on",
        "started_by",
        "started_at",
        "updated_by",
        "updated_at",
        "finished_at",
    ]
    readonly_fields = ["started_by", "started_at", "updated_by", "updated_at", "finished_at"]
    filter_horizontal = ["seams"]
    raw_id_fields = ["top_seam", "webhook", "contract"]
    inlines = [MissInline]
