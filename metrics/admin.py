from django.contrib import admin

from metrics.models import DataQualityReport, GuidedStart, MetricsRun, Miss, MonthlySeamMetrics


@admin.register(DataQualityReport)
class DataQualityReportAdmin(admin.ModelAdmin):
    list_display = ["ran_at", "finding_count", "teams_checked", "people_checked"]
    date_hierarchy = "ran_at"
    readonly_fields = ["ran_at", "findings", "teams_checked", "people_checked"]

    @admin.display(description="findings")
    def finding_count(self, report: DataQualityReport) -> int:
        return len(report.findings)

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(MonthlySeamMetrics)
class MonthlySeamMetricsAdmin(admin.ModelAdmin):
    """Snapshots are computed, never typed: read them here, recompute from the Metrics page."""

    list_display = [
        "seam",
        "month",
        "submitted",
        "throughput",
        "queue_time_p85_hours",
        "sla_breach_rate",
        "wip_open",
        "computed_at",
    ]
    list_filter = ["month"]
    list_select_related = ["seam"]
    search_fields = ["seam__name", "seam__slug"]
    date_hierarchy = "month"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(MetricsRun)
class MetricsRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "months", "seams", "requested_by", "finished_at"]
    list_select_related = ["requested_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


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
