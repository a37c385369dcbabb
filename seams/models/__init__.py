"""The core's models, one module per concern; every model is importable from here
(`from seams.models import Seam`)."""

from seams.models.calendars import (
    Calendar,
    CalendarHoliday,
    CalendarQuerySet,
    validate_time_zone,
    validate_weekdays,
)
from seams.models.handoffs import Handoff, HandoffQuerySet, HandoffReturn
from seams.models.imports import HandoffImport
from seams.models.people import Membership, Team, TeamQuerySet, User
from seams.models.seams import Seam, SeamQuerySet
from seams.models.slugs import derive_slug
from seams.models.specs import (
    POSITIVE_HOURS,
    HandoffSpec,
    SpecContent,
    SpecVersion,
    validate_checklist,
)

__all__ = [
    "POSITIVE_HOURS",
    "Calendar",
    "CalendarHoliday",
    "CalendarQuerySet",
    "Handoff",
    "HandoffImport",
    "HandoffQuerySet",
    "HandoffReturn",
    "HandoffSpec",
    "Membership",
    "Seam",
    "SeamQuerySet",
    "SpecContent",
    "SpecVersion",
    "Team",
    "TeamQuerySet",
    "User",
    "derive_slug",
    "validate_checklist",
    "validate_time_zone",
    "validate_weekdays",
]
