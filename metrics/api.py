import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError

from common.schema import SLUG, ApiSchema
from metrics import engine
from metrics.models import MonthlySeamMetrics
from metrics.serializers import MONTH_PATTERN, MonthlySeamMetricsSerializer


@extend_schema(
    parameters=[
        OpenApiParameter(
            "month",
            OpenApiTypes.STR,
            pattern=MONTH_PATTERN,
            description="YYYY-MM; the current month when omitted.",
        ),
        OpenApiParameter(
            "seam", OpenApiTypes.STR, pattern=f"^{SLUG}$", description="A seam's slug."
        ),
    ]
)
class MetricsViewSet(viewsets.ReadOnlyModelViewSet):
    """Monthly seam metrics snapshots (computed by `compute_metrics` and nightly)."""

    schema = ApiSchema()
    serializer_class = MonthlySeamMetricsSerializer
    lookup_field = "pk"

    def get_queryset(self):
        params = self.request.query_params
        try:
            month = engine.parse_month(params.get("month"), ahead_ok=True) or engine.current_month()
        except ValueError as exc:
            raise ValidationError({"month": [str(exc)]}) from exc
        snapshots = MonthlySeamMetrics.objects.filter(month=month).select_related("seam")
        if seam := params.get("seam"):
            if not re.fullmatch(SLUG, seam):
                raise ValidationError({"seam": ["A seam's slug: letters, digits, - and _."]})
            snapshots = snapshots.filter(seam__slug=seam)
        return snapshots.order_by("seam__name", "pk")
