"""The initiative forecast as the API answers it (metrics.forecast defines every field)."""

from rest_framework import serializers


class ForecastSeamSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class DependencyForecastSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="dependency.pk")
    title = serializers.CharField(source="dependency.title")
    status = serializers.CharField(source="dependency.status")
    seam = ForecastSeamSerializer(allow_null=True, help_text="Null: no seam.")
    needed_by = serializers.DateField(source="dependency.needed_by")
    committed_date = serializers.DateField(source="dependency.committed_date", allow_null=True)
    age_days = serializers.IntegerField(help_text="Days since it was requested.")
    chance_on_time = serializers.FloatField(
        allow_null=True,
        help_text="The share of its draws delivered by the needed-by date; null: beyond history.",
    )
    p50 = serializers.DateField(allow_null=True, help_text="By this day in 50 % of draws.")
    p85 = serializers.DateField(allow_null=True, help_text="By this day in 85 % of draws.")
    p95 = serializers.DateField(allow_null=True, help_text="By this day in 95 % of draws.")
    n = serializers.IntegerField(help_text="How many past durations it draws from.")
    basis = serializers.ChoiceField(
        choices=["dependencies", "handoff lead times"],
        allow_null=True,
        help_text="What it draws from: the seam's delivered dependencies or, short of those, its "
        "handoff lead times; null: beyond history.",
    )
    note = serializers.CharField(allow_blank=True)


class RiskiestSeamSerializer(serializers.Serializer):
    slug = serializers.CharField(source="seam.slug")
    name = serializers.CharField(source="seam.name")
    gain = serializers.FloatField(
        help_text="How much the chance that all are on time rises with its dependencies certain."
    )


class HistogramBinSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField(help_text="The bin's last day, inclusive.")
    draws = serializers.IntegerField()


class InitiativeForecastSerializer(serializers.Serializer):
    slug = serializers.CharField(source="initiative.slug")
    name = serializers.CharField(source="initiative.name")
    chance_all_on_time = serializers.FloatField(
        allow_null=True,
        help_text="The share of draws in which every forecast dependency is on time; null when "
        "none can be forecast.",
    )
    riskiest_seam = RiskiestSeamSerializer(allow_null=True)
    beyond_history = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Ids of the dependencies beyond history, left out of the joint chance.",
    )
    histogram = HistogramBinSerializer(
        many=True, help_text="The latest delivery day across the dependencies, per draw."
    )


class ForecastSerializer(serializers.Serializer):
    at = serializers.DateField(source="today", help_text="The day the forecast is made.")
    draws = serializers.IntegerField()
    initiative = InitiativeForecastSerializer(source="*")
    dependencies = DependencyForecastSerializer(many=True)
    notes = serializers.ListField(child=serializers.CharField())
