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


# --- Leading signals (metrics.signals) ----------------------------------------------------------


def _hours(help_text: str, **kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, help_text=help_text, **kwargs
    )


class SleSerializer(serializers.Serializer):
    """A service level expectation: percentiles in business hours (all null below 20 items)."""

    p50 = _hours("50th percentile.", allow_null=True)
    p70 = _hours("70th percentile.", allow_null=True)
    p85 = _hours("85th percentile.", allow_null=True)
    p95 = _hours("95th percentile.", allow_null=True)
    n = serializers.IntegerField(read_only=True, help_text="How many handoffs it is over.")


class OpenItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    external_id = serializers.CharField(read_only=True)
    state = serializers.ChoiceField(
        choices=["submitted", "waiting", "started"],
        read_only=True,
        help_text="`waiting`: returned to its sender, its clock paused.",
    )
    age_hours = _hours(
        "Business hours since submission (outside pauses until it started).", allow_null=True
    )


class AtRiskSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    external_id = serializers.CharField(read_only=True)
    sla_hours = _hours("The response SLA fixed at submission.")
    elapsed_hours = _hours("Business hours of it gone, outside pauses.")
    breaches_in_hours = _hours("Business hours left until the deadline.")


class ProposedSlaSerializer(serializers.Serializer):
    basis = serializers.ChoiceField(
        choices=["pilot", "last_90_days"], read_only=True, help_text="Which handoffs it is from."
    )
    start = serializers.DateTimeField(read_only=True)
    end = serializers.DateTimeField(read_only=True)
    n = serializers.IntegerField(read_only=True, help_text="Handoffs started in [start, end).")
    queue_p85_hours = _hours("Their queue time p85 (null below 20).", allow_null=True)


class DriftPointSerializer(serializers.Serializer):
    month_end = serializers.DateTimeField(read_only=True)
    queue_p85_hours = _hours(
        "Queue time p85 over the 90 days before it (null below 20 started).", allow_null=True
    )
    n = serializers.IntegerField(read_only=True)


class DriftSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=["not_met", "slack"],
        allow_null=True,
        read_only=True,
        help_text="`not_met`: the p85 above 1.2 × the SLA at both month ends; `slack`: below "
        "0.5 × at both; null otherwise.",
    )
    response_sla_hours = _hours("The spec's response SLA.", allow_null=True)
    points = DriftPointSerializer(many=True, read_only=True, help_text="The last two month ends.")


class SeamSignalsSerializer(serializers.Serializer):
    """A seam's leading signals at an instant (DESIGN.md, Leading signals)."""

    seam = serializers.CharField(source="seam_slug", read_only=True, help_text="The seam's slug.")
    at = serializers.DateTimeField(read_only=True)
    open = OpenItemSerializer(
        source="open_items", many=True, read_only=True, help_text="Open at `at`, oldest first."
    )
    at_risk = AtRiskSerializer(many=True, read_only=True, help_text="Soonest to breach first.")
    queue_sle_hours = SleSerializer(source="queue_sle", read_only=True)
    lead_sle_hours = SleSerializer(source="lead_sle", read_only=True)
    proposed_response_sla_hours = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="The queue p85 over the pilot (else the last 90 days), rounded up to a whole "
        "hour; null below 20 started.",
    )
    proposed_response_sla = ProposedSlaSerializer(read_only=True)
    drift = DriftSerializer(read_only=True)
