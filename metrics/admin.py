from django.contrib import admin

from common.admin import RecordAdmin
from metrics.models import (
    AtRiskWarning,
    DataQualityReport,
    MetricsRun,
    MonthlySeamMetrics,
    SlaRevisionDraft,
)


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


@admin.register(AtRiskWarning)
class AtRiskWarningAdmin(admin.ModelAdmin):
    """Who was warned, when: written by the at-risk task only. Deleting one lets the handoff
    warn again on the next run."""

    list_display = ["handoff", "warned_at", "breaches_in_hours"]
    date_hierarchy = "warned_at"
    list_select_related = ["handoff__seam"]
    search_fields = ["handoff__title", "handoff__external_id"]
    readonly_fields = ["handoff", "warned_at", "breaches_in_hours"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SlaRevisionDraft)
class SlaRevisionDraftAdmin(admin.ModelAdmin):
    """Drafts are made and published from a seam's drill-down (Contract vs reality), where
    publishing also writes the spec and the target: here they are read only."""

    list_display = [
        "contract",
        "seam",
        "contracted_sla_hours",
        "response_sla_hours",
        "basis",
        "n",
        "created_by",
        "created_at",
        "published_at",
    ]
    list_filter = ["basis", ("published_at", admin.EmptyFieldListFilter)]
    list_select_related = ["contract", "seam", "created_by"]
    search_fields = ["contract__title", "seam__name"]
    readonly_fields = [f.name for f in SlaRevisionDraft._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
