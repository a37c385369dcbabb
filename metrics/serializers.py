from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contracts import catalogue
from metrics.models import MonthlySeamMetrics

# Seamline keeps months from January 2000 on (metrics.engine.FIRST_MONTH).
MONTH_PATTERN = r"^2[0-9]{3}-(0[1-9]|1[0-2])$"


@extend_schema_field({"type": "string", "pattern": MONTH_PATTERN, "example": "2026-11"})
class MonthField(serializers.DateField):
    """A month as YYYY-MM (stored as the month's first day)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m", **kwargs)


class MonthlySeamMetricsSerializer(serializers.ModelSerializer):
    """A seam's month, with DESIGN.md's field names. Hours and rates are decimal numbers; rates
    are fractions (0.25 is 25 %)."""

    seam = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    month = MonthField(read_only=True)

    class Meta:
        model = MonthlySeamMetrics
        fields = ["seam", "month", *catalogue.FIELDS, "rag", "computed_at"]
        read_only_fields = fields
