from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError

from metrics import engine
from metrics.models import MonthlySeamMetrics
from metrics.serializers import MonthlySeamMetricsSerializer


@extend_schema(
    parameters=[
        OpenApiParameter(
            "month", OpenApiTypes.STR, description="YYYY-MM; the current month when omitted."
        ),
        OpenApiParameter("seam", OpenApiTypes.STR, description="A seam's slug."),
    ]
)
class MetricsViewSet(viewsets.ReadOnlyModelViewSet):
    """Monthly seam metrics snapshots (computed by `compute_metrics` and nightly)."""

    serializer_class = MonthlySeamMetricsSerializer
    lookup_field = "pk"

    def get_queryset(self):
        params = self.request.query_params
        try:
            month = engine.parse_month(params.get("month")) or engine.current_month()
        except ValueError as exc:
            raise ValidationError({"month": [str(exc)]}) from exc
        snapshots = MonthlySeamMetrics.objects.filter(month=month).select_related("seam")
        if seam := params.get("seam"):
            snapshots = snapshots.filter(seam__slug=seam)
        return snapshots.order_by("seam__name", "pk")
