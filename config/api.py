"""The REST API router: every resource under /api/v1/."""

from rest_framework.routers import DefaultRouter

from common.schema import SLUG
from contracts.api import ContractViewSet, InitiativeViewSet
from decisions.api import ConstraintViewSet, DecisionViewSet, DependencyViewSet, EscalationViewSet
from metrics.api import MetricsViewSet
from metrics.forecast_api import ForecastViewSet
from metrics.review_api import ActionViewSet, ReviewViewSet
from metrics.signal_api import SignalsViewSet
from seams.api import CalendarViewSet, HandoffViewSet, SeamViewSet, SpecViewSet, TeamViewSet

router = DefaultRouter()
# No format-suffix twins (`/api/v1/teams.json`): one documented address per resource.
router.include_format_suffixes = False
router.register("teams", TeamViewSet, basename="team")
router.register("calendars", CalendarViewSet, basename="calendar")
router.register("seams", SeamViewSet, basename="seam")
router.register("specs", SpecViewSet, basename="spec")
router.register("handoffs", HandoffViewSet, basename="handoff")
router.register("contracts", ContractViewSet, basename="contract")
router.register("initiatives", InitiativeViewSet, basename="initiative")
router.register(
    rf"initiatives/(?P<slug>{SLUG})/forecast", ForecastViewSet, basename="initiative-forecast"
)
router.register("decisions", DecisionViewSet, basename="decision")
router.register("escalations", EscalationViewSet, basename="escalation")
router.register("constraints", ConstraintViewSet, basename="constraint")
router.register("dependencies", DependencyViewSet, basename="dependency")
router.register("metrics", MetricsViewSet, basename="metrics")
router.register("signals", SignalsViewSet, basename="signals")
router.register("reviews", ReviewViewSet, basename="review")
router.register("actions", ActionViewSet, basename="action")
