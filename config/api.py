"""The REST API router: every resource under /api/v1/."""

from rest_framework.routers import DefaultRouter

from seams.api import TeamViewSet

router = DefaultRouter()
router.register("teams", TeamViewSet, basename="team")
