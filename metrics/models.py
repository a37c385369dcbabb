from django.db import models
from django.utils import timezone


class DataQualityReport(models.Model):
    """One run of the data-quality check: what in the organisation's data needs attention.

    `findings` is a list of {"code", "message", "url"} objects, most important first.
    """

    ran_at = models.DateTimeField(default=timezone.now, db_index=True)
    findings = models.JSONField(default=list, blank=True)
    teams_checked = models.PositiveIntegerField(default=0)
    people_checked = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-ran_at"]
        get_latest_by = "ran_at"

    def __str__(self) -> str:
        return f"Data-quality check of {self.ran_at:%Y-%m-%d %H:%M}: {len(self.findings)} findings"
