"""`GET /api/v1/initiatives/<slug>/forecast/`: will the launch land? (metrics.forecast)

Everyone signed in reads every initiative (DESIGN.md). `?at=YYYY-MM-DD` makes the forecast as
of a past (or future) day.
"""

from datetime import date

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from common.schema import SLUG, ApiSchema
from contracts.models import Initiative
from metrics.forecast import forecast_initiative
from metrics.forecast_serializers import ForecastSerializer

# What the schema promises is accepted (the view takes any real day of those years).
AT_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$"
AT_PROBLEM = "A day as YYYY-MM-DD, from 2000 to 2099."


class ForecastSchema(ApiSchema):
    def _is_list_view(self, serializer=None) -> bool:
        # One initiative's forecast, though the router serves it as its route's list.
        return False


def parse_day(text: str) -> date:
    """A day from 2000-01-01 to 2099-12-31, written YYYY-MM-DD; ValueError otherwise."""
    if len(text) != 10 or not text.isascii():
        raise ValueError(AT_PROBLEM)
    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(AT_PROBLEM) from exc
    if not 2000 <= day.year <= 2099:
        raise ValueError(AT_PROBLEM)
    return day


@extend_schema(
    parameters=[
        OpenApiParameter(
            "slug",
            OpenApiTypes.STR,
            OpenApiParameter.PATH,
            pattern=f"^{SLUG}$",
            description="The initiative's slug.",
        ),
        OpenApiParameter(
            "at",
            OpenApiTypes.DATE,
            pattern=AT_PATTERN,
            description="The day to forecast on, YYYY-MM-DD from 2000 to 2099: history up to "
            "that day, the dependencies open on it. Today when omitted.",
        ),
    ],
    responses=ForecastSerializer,
)
class ForecastViewSet(viewsets.GenericViewSet):
    """The initiative forecast: for each open dependency the chance it is delivered by its
    needed-by date, from 10,000 draws of its seam's history; the chance all are on time; and
    the riskiest seam, the one whose dependencies, made certain, raise that chance most."""

    schema = ForecastSchema()
    serializer_class = ForecastSerializer
    pagination_class = None
    filter_backends = []

    def list(self, request, slug: str = "", *args, **kwargs) -> Response:
        initiative = Initiative.objects.filter(slug=slug).first()
        if initiative is None:
            raise NotFound(f"There is no initiative “{slug}”.")
        found = forecast_initiative(initiative=initiative, today=self._at())
        return Response(self.get_serializer(found).data)

    def _at(self) -> date | None:
        text = self.request.query_params.get("at")
        if text is None or not text.strip():
            return None
        try:
            return parse_day(text)
        except ValueError as exc:
            raise ValidationError({"at": [str(exc)]}) from exc
