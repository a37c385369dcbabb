from rest_framework import serializers

from metrics import engine
from metrics.models import MonthlySeamMetrics


class MonthlySeamMetricsSerializer(serializers.ModelSerializer):
    """A seam's month, with DESIGN.md's field names. Hours and rates are decimal numbers; rates
    are fractions (0.25 is 25 %)."""

    seam = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    month = serializers.DateField(format="%Y-%m", read_only=True)

    class Meta:
        model = MonthlySeamMetrics
        fields = ["seam", "month", *engine.FIELDS, "rag", "computed_at"]
        read_only_fields = fields
