"""`GET /api/v1/signals/`: the leading signals of every seam (or one), now or at `?at=`.

Everyone signed in reads every seam (DESIGN.md). The list is paged by seam, and only the page's
seams are computed: a fixed handful of queries whatever the page size (metrics.signals).
"""

import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from common.schema import SLUG, ApiSchema
from metrics import signals
from metrics.serializers import SeamSignalsSerializer
from seams.models import Seam

# What the schema promises is accepted (metrics.signals.parse_instant takes a little more:
# any day of the month, and a date alone): years 2000-2099, with or without a UTC offset.
AT_PATTERN = (
    r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])"
    r"T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"
    r"(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9])?$"
)


@extend_schema(
    parameters=[
        OpenApiParameter(
            "seam", OpenApiTypes.STR, pattern=f"^{SLUG}$", description="One seam's slug."
        ),
        OpenApiParameter(
            "at",
            OpenApiTypes.STR,
            pattern=AT_PATTERN,
            description="The instant, ISO 8601 (without an offset: in the organisation's time "
            "zone), from 2000 to 2099; now when omitted. A future instant projects today's open "
            "work forward as if nothing were started meanwhile.",
        ),
    ],
    responses=SeamSignalsSerializer(many=True),
)
class SignalsViewSet(viewsets.GenericViewSet):
    """Leading signals per seam at an instant: open work and its age, what is at risk of
    breaching its response SLA and how soon, the queue and lead time SLEs over the last 90
    days, the response SLA reality supports, and drift from the spec's SLA."""

    schema = ApiSchema()
    serializer_class = SeamSignalsSerializer

    def get_queryset(self):
        return Seam.objects.visible_to(self.request.user).order_by("name", "pk")

    def list(self, request, *args, **kwargs) -> Response:
        at = self._at()
        seams = self.get_queryset()
        # An empty filter (`?seam=`) means none, as in an HTML form and the other lists.
        if slug := request.query_params.get("seam"):
            if len(slug) > 80 or not re.fullmatch(SLUG, slug):
                raise ValidationError({"seam": ["A seam's slug: letters, digits, - and _."]})
            seams = seams.filter(slug=slug)
            if not seams.exists():
                raise NotFound(f"There is no seam “{slug}”.")
        page = self.paginate_queryset(seams)
        found = signals.signals_for(page, at)
        rows = [found[seam.pk] for seam in page if seam.pk in found]
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    def _at(self):
        text = self.request.query_params.get("at")
        if text is None or not text.strip():
            return None
        try:
            return signals.parse_instant(text)
        except ValueError as exc:
            raise ValidationError({"at": [str(exc)]}) from exc
