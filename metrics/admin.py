from django.contrib import admin

from metrics.models import DataQualityReport


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
