from django.contrib import admin

from common.admin import RecordAdmin
from metrics.models import DataQualityReport, MetricsRun, MonthlySeamMetrics


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
class MonthlySeamMetricsAdmin(RecordAdmin):
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


@admin.register(MetricsRun)
class MetricsRunAdmin(RecordAdmin):
    list_display = ["started_at", "months", "seams", "requested_by", "finished_at"]
    list_select_related = ["requested_by"]
